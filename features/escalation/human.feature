@escalation @needs-handoff
Feature: Talking to a person
  A customer can always reach a person; while a person has the chat, the assistant stays quiet, and it
  answers again once the person hands the chat back.

  @en @WA-ESC-01 @WA-ESC-02 @proactive @hook-handoff-release
  Scenario: Handoff to a person and back
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" asks for a person
    Then "Lucía" is handed over to a person
    When "Lucía" says "¿hola? ¿hay alguien?"
    Then "Lucía" receives no message
    When the agent hands "Lucía" back to the assistant
    And "Lucía" says "gracias, otra pregunta: ¿hacéis envíos a Canarias?"
    Then "Lucía" gets an answer

  @en @WA-ESC-01 @proactive @hook-handoff-release
  Scenario: Asking for a person in English
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" asks for a person
    Then "Oliver" is offered a person
    When the agent hands "Oliver" back to the assistant

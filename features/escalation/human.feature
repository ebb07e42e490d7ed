@escalation
Feature: Talking to a person
  A customer can always reach a person; while a person has the chat, the assistant stays quiet.

  @en @WA-ESC-01 @WA-ESC-02 @proactive
  Scenario: Handoff to a person and back
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" asks for a person: "quiero hablar con una persona"
    Then "Lucía" receives a reply containing "una persona de nuestro equipo"
    When "Lucía" says "¿hola? ¿hay alguien?"
    Then "Lucía" receives no message
    When the agent hands "Lucía" back to the assistant
    And "Lucía" says "¿Dónde está mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "TE-1001"

  @en @WA-ESC-01
  Scenario: AGENT is enough
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" says "AGENT"
    Then "Oliver" receives a reply containing "a person from our team"

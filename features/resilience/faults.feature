@resilience
Feature: Resilience
  When Dialogflow is down or slow, WhatsApp rate-limits sends or delivers webhooks twice and out of
  order, the assistant degrades gracefully and stays within every rule.

  @en @PII-NLU-01 @WA-ESC-01
  Scenario: Dialogflow is down
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    And Dialogflow is down
    When "Lucía" says "tengo una duda con una devolución"
    Then "Lucía" is offered a person
    When Dialogflow is back
    And "Lucía" says "¿cuánto tarda un envío a Canarias?"
    Then "Lucía" gets an answer

  @en @PII-NLU-01 @needs-order-status
  Scenario: Dialogflow is slow
    Given a customer "Lucía" with an order who speaks Spanish
    And Dialogflow answers after 200 milliseconds
    And "Lucía" has greeted the assistant
    When "Lucía" asks about her order
    Then "Lucía" receives her order's status

  @en @AI-DISC-01
  Scenario: WhatsApp rate-limits the assistant's sends
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And WhatsApp rejects the next 2 sends with error 130429
    When "Lucía" says "Hola"
    Then "Lucía" is told she is talking to an automated assistant

  @en @WA-OPTIN-02 @needs-marketing
  Scenario: Status webhooks arrive twice and out of order
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And WhatsApp delivers status webhooks twice and out of order
    When "Lucía" says "Hola"
    Then "Lucía" is told she is talking to an automated assistant
    When "Lucía" opts in to offers
    And "Lucía" says "¿cuánto tarda un envío a Canarias?"
    Then "Lucía" gets an answer
    And "Lucía" receives no message

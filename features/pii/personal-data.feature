@pii
Feature: Personal data in the chat
  Identifiers customers type never reach Dialogflow, are never echoed back in full, and are never asked for.

  @en @PII-NLU-01 @WA-SENS-01 @WA-SENS-02 @PRIV-JIT-01
  Scenario: A DNI and a card number are masked before Dialogflow
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her DNI
    And "Lucía" says "pagué con la tarjeta 4111 1111 1111 1111, ¿está bien mi pedido?"
    And "Lucía" says "¿Dónde está mi pedido?"
    Then Dialogflow received no personal data

  @en @PII-NLU-01 @PII-NLU-02
  Scenario: A long message shared as a doc string
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" shares his email
    And "Oliver" says:
      """
      Hello again. My IBAN is ES91 2100 0418 4502 0005 1332,
      can you check my last order?
      """
    Then Dialogflow received no personal data

  @en @WA-SENS-01
  Scenario: Asking about an order without its number
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" says "¿Dónde está mi pedido?"
    Then "Lucía" gets an answer

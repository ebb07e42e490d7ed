@conversation
Feature: First contact
  A customer who writes for the first time learns that an automated assistant answers, how to reach a
  person, and the basic privacy information, in their own language.

  @en @AI-DISC-01 @GDPR-NOTICE-01 @PRIV-3P-01 @WA-ESC-01 @ES-CS-01
  Scenario: An English-speaking customer says hello
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" says "Hello there"
    Then "Oliver" receives a reply containing "automated"
    And "Oliver" receives a reply containing "AGENT"
    And "Oliver" receives a reply containing "privacy"
    And the audit is clean

  @en @PII-NLU-02 @GDPR-PROC-01
  Scenario: A customer asks where her order is
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" says "¿Dónde está mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "TE-1001"

  @en @ES-CS-01
  Scenario: A complaint in English gets a tracking code, in English
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" says "I want to file a complaint, my parcel arrived broken"
    Then "Oliver" receives a reply containing "tracking code"

  @en @WA-XCUST-01
  Scenario: Two customers at once never see each other's orders
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And a customer "Mario" with phone "+34 600 000 002" who speaks Spanish
    And "Lucía" has greeted the assistant
    And "Mario" has greeted the assistant
    When "Lucía" shares her name
    And "Lucía" says "¿dónde está mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "TE-1001"
    When "Mario" says "¿y mi pedido?"
    Then "Mario" receives a reply containing "pedido"

  @en @conversation-table
  Scenario: A whole conversation as a table
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When the conversation goes:
      | who       | says                          |
      | Lucía     | Hola                          |
      | assistant | asistente virtual automático  |
      | Lucía     | ¿Dónde está mi pedido TE-1001? |
      | assistant | TE-1001                       |

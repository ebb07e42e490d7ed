@conversation
Feature: First contact
  A customer who writes for the first time learns that an automated assistant answers, how to reach a
  person, and the basic privacy information, in their own language.

  @en @AI-DISC-01 @GDPR-NOTICE-01 @PRIV-3P-01 @WA-ESC-01 @ES-CS-01
  Scenario: An English-speaking customer says hello
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" says "Hello there"
    Then "Oliver" is told he is talking to an automated assistant
    And "Oliver" is offered a person
    And "Oliver" receives the privacy notice
    And the audit is clean

  @en @PII-NLU-02 @GDPR-PROC-01 @needs-order-status
  Scenario: A customer asks where her order is
    Given a customer "Lucía" with an order who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" asks about her order
    Then "Lucía" receives her order's status

  @en @ES-CS-01
  Scenario: A complaint in English gets a tracking code, in English
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" says "I want to file a complaint, my parcel arrived broken"
    Then "Oliver" receives a reference for his request

  @en @WA-XCUST-01 @needs-order-status
  Scenario: Two customers at once never see each other's orders
    Given a customer "Lucía" with an order who speaks Spanish
    And a customer "Mario" with phone "+34 600 000 002" who speaks Spanish
    And "Lucía" has greeted the assistant
    And "Mario" has greeted the assistant
    When "Lucía" shares her name
    And "Lucía" asks about her order
    Then "Lucía" receives her order's status
    When "Mario" says "¿y mi pedido?"
    Then "Mario" gets an answer
    And the audit is clean

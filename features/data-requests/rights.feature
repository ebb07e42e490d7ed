@data-requests @needs-data-requests
Feature: Data-protection requests in the chat
  Customers exercise their GDPR rights where they talk to the business: each request gets a reference,
  no fee, an answer within the month, and only the customer's own data.

  @en @GDPR-DSR-01 @GDPR-DSR-02 @GDPR-ACCESS-01 @GDPR-CONSENT-02 @needs-marketing
  Scenario: Access: a copy of everything held
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" shares her name
    And "Lucía" shares her email
    And "Lucía" asks for a copy of her data
    Then "Lucía" receives a reference for her request
    And "Lucía" receives a copy of her data

  @en @GDPR-PORT-01 @GDPR-DSR-01
  Scenario: Portability: the data in a machine-readable format
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her email
    And "Lucía" makes a portability request: "quiero mis datos en un formato que pueda llevar a otra empresa (portabilidad)"
    Then "Lucía" receives a copy of her data

  @en @GDPR-VERIFY-01
  Scenario: Nobody gets someone else's data
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And a customer "Mario" with phone "+34 600 000 002" who speaks Spanish
    And "Lucía" has greeted the assistant
    And "Lucía" shares her name
    And "Mario" has greeted the assistant
    When "Mario" makes an access request: "quiero una copia de los datos del 34600000001"
    Then the audit is clean

  @en @GDPR-RECT-01
  Scenario: Rectification replaces the old value
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her email
    And "Lucía" corrects her email
    Then "Lucía" receives an acknowledgement of her request
    When "Lucía" asks for a copy of her data
    Then "Lucía" receives a copy of her data

  @en @GDPR-ERASE-01 @GDPR-ERASE-02 @proactive @needs-marketing @hook-campaign
  Scenario: Erasure forgets the customer everywhere
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" shares her name
    And "Lucía" asks to erase her data
    Then "Lucía" receives an acknowledgement of her request
    When "Lucía" says "hola otra vez"
    And 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @GDPR-OBJECT-01 @proactive @needs-marketing @hook-campaign
  Scenario: Objection to marketing
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" objects to marketing
    Then "Lucía" receives an opt-out confirmation
    When 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @GDPR-RESTRICT-01 @proactive @needs-marketing @hook-campaign
  Scenario: Restriction of processing
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" makes a restriction request: "quiero limitar el tratamiento de mis datos"
    Then "Lucía" receives an acknowledgement of her request
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

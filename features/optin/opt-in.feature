@optin @proactive @needs-marketing
Feature: Marketing opt-in
  Marketing on WhatsApp needs an opt-in that names the business and WhatsApp, recorded with when, where
  and what the customer was shown; saying no costs the customer nothing.

  @en @WA-OPTIN-01 @WA-OPTIN-02 @WA-MKT-01 @WA-TPL-01 @hook-campaign
  Scenario: Opt-in in the chat, then a campaign
    Given a customer "Oliver" with phone "+44 7700 900002" who speaks English
    When "Oliver" opts in to offers
    And 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Oliver" receives a marketing message

  @en @GDPR-CONSENT-01 @WA-OPTIN-01 @hook-campaign
  Scenario: Declining offers does not cost the service
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" declines offers
    And "Lucía" says "¿hacéis envíos a Canarias?"
    Then "Lucía" gets an answer
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @WA-OPTIN-03 @hook-consent @hook-campaign
  Scenario: Opt-in on the web reaches the assistant with its channel and wording
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When 25 hours pass
    And "Lucía" opted in to "marketing" through the "web"
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives a marketing message

  @en @WA-OPTIN-03 @WA-OPTIN-01 @hook-consent @hook-campaign
  Scenario: An opt-in the business cannot prove is refused
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When 25 hours pass
    And "Lucía" opted in to "marketing" through the "web" with no record of the wording
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

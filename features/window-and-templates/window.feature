@window-and-templates @proactive
Feature: The 24-hour window and templates
  Outside the 24 hours after the customer's last message only approved templates may be sent, and a
  template's category must match its content.

  @en @WA-WINDOW-01 @WA-TPL-01 @WA-OPTIN-03 @hook-consent @hook-notify
  Scenario: A shipping notice outside the window goes as a utility template
    Given a customer "Lucía" with an order who speaks Spanish
    And "Lucía" has greeted the assistant
    When 25 hours pass
    And "Lucía" opted in to "notifications" through the "app"
    And the business tells "Lucía" that her order has shipped
    Then "Lucía" receives her order's status

  @en @WA-WINDOW-01 @WA-MKT-01 @needs-marketing @hook-campaign
  Scenario: A campaign inside the window is still a template with the business's name
    Given a customer "Oliver" with phone "+44 7700 900002" who speaks English
    And "Oliver" opts in to offers
    When the business sends the campaign "promo_verano"
    Then "Oliver" receives a marketing message

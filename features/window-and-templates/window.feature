@window-and-templates @proactive
Feature: The 24-hour window and templates
  Outside the 24 hours after the customer's last message only approved templates may be sent, and a
  template's category must match its content.

  @en @WA-WINDOW-01 @WA-TPL-01 @WA-OPTIN-03
  Scenario: A shipping notice outside the window goes as a utility template
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When 25 hours pass
    And "Lucía" opted in to "notifications" through the "app"
    And the business tells "Lucía" that order "TE-1001" has shipped
    Then "Lucía" receives a reply containing "pedido_enviado"

  @en @WA-WINDOW-01 @WA-MKT-01
  Scenario: A campaign inside the window is still a template with the business's name
    Given a customer "Oliver" with phone "+44 7700 900002" who speaks English
    And "Oliver" accepted offers in the chat
    When the business sends the campaign "promo_verano"
    Then "Oliver" receives a marketing message

@optout @proactive
Feature: Opting out
  A customer stops marketing with a word, a paraphrase or a button; the assistant confirms plainly, once,
  and never markets to them again.

  @en @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Scenario: BAJA stops the offers
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" says "BAJA"
    Then "Lucía" receives a reply containing "te hemos dado de baja"
    When 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Scenario Outline: Opting out in the customer's own words
    Given a customer "<name>" with phone "<phone>" who speaks <language>
    And "<name>" accepted offers in the chat
    When "<name>" asks to opt out: "<phrase>"
    Then "<name>" receives a reply containing "<confirmation>"
    When 31 days pass
    And the business sends the campaign "promo_verano"
    Then "<name>" receives no marketing

    Examples:
      | name    | phone           | language | phrase                                  | confirmation  |
      | Marta   | +34 600 000 012 | Spanish  | no quiero más mensajes                   | dado de baja  |
      | Jorge   | +34 600 000 013 | Spanish  | Por favor dejad de enviarme publicidad   | dado de baja  |
      | Carmen  | +34 600 000 014 | Spanish  | quiero darme de baja de las ofertas      | dado de baja  |
      | Oliver  | +44 7700 900011 | English  | please unsubscribe me                    | unsubscribed  |

  @en @WA-OPTOUT-01 @WA-MKT-01
  Scenario: The opt-out button of a marketing template
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives a marketing message
    When "Lucía" taps "Baja"
    And 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @WA-MKT-02
  Scenario: WhatsApp's own "Stop promotions" is respected
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" presses WhatsApp's "Stop promotions"
    And 25 hours pass
    And the business sends the campaign "promo_verano"
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

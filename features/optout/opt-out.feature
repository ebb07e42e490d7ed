@optout @proactive @needs-marketing @hook-campaign
Feature: Opting out
  A customer stops marketing with a word, a paraphrase or a button; the assistant confirms plainly, once,
  and never markets to them again.

  @en @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Scenario: Stopping the offers the way the assistant offers
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" asks to stop the offers
    Then "Lucía" receives an opt-out confirmation
    When 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Scenario Outline: Opting out in the customer's own words
    Given a customer "<name>" with phone "<phone>" who speaks <language>
    And "<name>" opts in to offers
    When "<name>" asks to opt out: "<phrase>"
    Then "<name>" receives an opt-out confirmation
    When 31 days pass
    And the business sends the campaign "promo_verano"
    Then "<name>" receives no marketing

    Examples:
      | name    | phone           | language | phrase                                  |
      | Marta   | +34 600 000 012 | Spanish  | no quiero más mensajes                   |
      | Jorge   | +34 600 000 013 | Spanish  | Por favor dejad de enviarme publicidad   |
      | Carmen  | +34 600 000 014 | Spanish  | quiero darme de baja de las ofertas      |
      | Oliver  | +44 7700 900011 | English  | please unsubscribe me                    |
      | Emma    | +44 7700 900012 | English  | STOP                                     |

  @en @WA-OPTOUT-01 @WA-MKT-01
  Scenario: Stopping the offers from a marketing message
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives a marketing message
    When "Lucía" asks to stop the offers
    And 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  @en @WA-MKT-02
  Scenario: WhatsApp's own "Stop promotions" is respected
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" opts in to offers
    When "Lucía" presses WhatsApp's "Stop promotions"
    And 25 hours pass
    And the business sends the campaign "promo_verano"
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

@naive
Feature: The naive assistant ignores an opt-out
  What a certification run must catch in the naive assistant, with parley's literal steps: a customer who
  opted in on the web and then asked in the chat to stop still receives the next campaign.

  Scenario: An opt-out in the chat is answered like anything else, and the campaign still comes
    Given a customer "Lucía" with phone "+34 622 000 201" who speaks Spanish
    And "Lucía" opted in to "marketing" through the "web"
    And "Lucía" has greeted the assistant
    When "Lucía" asks to opt out: "BAJA"
    And 31 days pass
    And the business sends the campaign "promo_verano"
    Then the audit reports "WA-OPTOUT-01"

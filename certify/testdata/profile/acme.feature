Feature: another business's assistant

  @GDPR-NOTICE-01
  Scenario: the notice at first contact names the business
    Given a customer "Ana" with phone "+34 600 000 041" who speaks English
    And "Ana" has greeted the assistant

  @needs-marketing @WA-OPTOUT-02
  Scenario: an offer needs marketing
    Given a customer "Marta" with phone "+34 600 000 042" who speaks English
    When "Marta" says "hello"
    Then "Marta" receives a reply containing "an offer no assistant of this test ever sends"

@security
Feature: Webhook security
  Only webhooks signed with the app secret are processed, on HTTPS with TLS 1.2 or later.

  @en @WA-SEC-01
  Scenario: A forged webhook is refused
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When someone posts a webhook for "Lucía" without a valid signature
    Then "Lucía" receives no message

  @en @WA-SEC-02
  Scenario: The webhook endpoint's TLS is probed
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" says "Hola"
    Then "Lucía" gets an answer
    And the audit is clean

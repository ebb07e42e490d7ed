@privacy
Feature: Privacy information
  The first answer carries the basic privacy information; sharing personal data brings a just-in-time
  reminder; transcripts are kept no longer than the notice says.

  @en @GDPR-NOTICE-01 @PRIV-3P-01 @AI-DISC-01
  Scenario: The first answer names the controller, the processors and the rights
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" says "Hola"
    Then "Lucía" receives the privacy notice
    And "Lucía" is told she is talking to an automated assistant
    And the audit is clean

  @en @PRIV-JIT-01
  Scenario: A just-in-time reminder when personal data is shared
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her DNI
    Then "Lucía" receives a privacy reminder

  @en @GDPR-RET-01 @needs-data-requests
  Scenario: An export after the retention period holds no old transcripts
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    And "Lucía" says "¿Hacéis envíos a Canarias?"
    When 95 days pass
    And "Lucía" asks for a copy of her data
    Then "Lucía" receives a copy of her data

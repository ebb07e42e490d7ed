@privacy
Feature: Privacy information
  The first answer carries the basic privacy information; sharing personal data brings a just-in-time
  reminder; transcripts are kept no longer than the notice says.

  @en @GDPR-NOTICE-01 @PRIV-3P-01 @AI-DISC-01
  Scenario: The first answer names the controller, the processors and the rights
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" says "Hola"
    Then "Lucía" receives a reply containing "Tienda Ejemplo S.L."
    And "Lucía" receives a reply containing "Meta (WhatsApp) y Google"
    And "Lucía" receives a reply containing "https://tiendaejemplo.es/privacidad"

  @en @PRIV-JIT-01
  Scenario: A just-in-time reminder when personal data is shared
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her DNI
    Then "Lucía" receives a reply containing "Aviso de privacidad"

  @en @GDPR-RET-01
  Scenario: An export after the retention period holds no old transcripts
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    And "Lucía" says "¿Dónde está mi pedido TE-1001?"
    When 95 days pass
    And "Lucía" makes an access request: "quiero una copia de mis datos"
    Then "Lucía" receives a document with her data in JSON

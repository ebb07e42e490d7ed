Feature: The reference assistant's own wording
  What parley's reference assistant says, word for word: its sentences, its buttons, its keywords and the
  orders of its seed store. The certification suite (features/) judges any assistant by outcomes; these
  scenarios keep the reference assistant's exact texts from drifting.

  Scenario: The English welcome names the keyword, the notice and the processors
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" says "Hello there"
    Then "Oliver" receives a reply containing "automated"
    And "Oliver" receives a reply containing "AGENT"
    And "Oliver" receives a reply containing "privacy"
    And "Oliver" receives a reply containing "Meta (WhatsApp) and Google"

  Scenario: A complaint in English gets a tracking code
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" says "I want to file a complaint, my parcel arrived broken"
    Then "Oliver" receives a reply containing "tracking code"

  Scenario: A whole conversation as a table
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When the conversation goes:
      | who       | says                           |
      | Lucía     | Hola                           |
      | assistant | asistente virtual automático   |
      | Lucía     | ¿Dónde está mi pedido TE-1001? |
      | assistant | TE-1001                        |

  Scenario: The opt-in question's buttons, then a campaign
    Given a customer "Oliver" with phone "+44 7700 900002" who speaks English
    When "Oliver" says "Hi"
    Then "Oliver" receives a reply containing "Tienda Ejemplo on WhatsApp"
    And the reply offers the buttons "Yes" and "No"
    When "Oliver" taps "Yes, I agree"
    Then "Oliver" receives a reply containing "STOP"
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Oliver" receives a marketing message

  Scenario: "No, gracias" keeps the service
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" taps "No, gracias"
    Then "Lucía" receives a reply containing "no te enviaremos ofertas"
    When "Lucía" says "¿cómo va mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "TE-1001" within 5 seconds

  Scenario: BAJA is confirmed in its words
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" says "BAJA"
    Then "Lucía" receives a reply containing "te hemos dado de baja"

  Scenario: The opt-out button of its marketing template
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives a marketing message
    When "Lucía" taps "Baja"
    And 31 days pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing

  Scenario: AGENT is enough
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" says "AGENT"
    Then "Oliver" receives a reply containing "a person from our team"
    When the agent hands "Oliver" back to the assistant

  Scenario: Data requests answered in its words
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her email
    And "Lucía" corrects her email
    Then "Lucía" receives a reply containing "corregido"
    When "Lucía" makes an access request: "quiero una copia de mis datos"
    Then "Lucía" receives a reply containing "Referencia"
    And "Lucía" receives a document with her data in JSON
    When "Lucía" makes an objection request: "me opongo a que uséis mis datos para publicidad"
    Then "Lucía" receives a reply containing "no volveremos a usar tus datos para publicidad"
    When "Lucía" makes an erasure request: "borrad todos mis datos, por favor"
    Then "Lucía" receives a reply containing "Hemos borrado tus datos"

  Scenario: Dialogflow down: it points to the person keyword
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    And Dialogflow is down
    When "Lucía" says "tengo una duda con una devolución"
    Then "Lucía" receives a reply containing "AGENTE"
    When Dialogflow is back
    And "Lucía" says "¿Dónde está mi pedido?"
    Then "Lucía" receives a reply containing "TE-"

  Scenario: A shipping notice outside the window is its utility template
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When 25 hours pass
    And "Lucía" opted in to "notifications" through the "app"
    And the business tells "Lucía" that order "TE-1001" has shipped
    Then "Lucía" receives a reply containing "pedido_enviado"

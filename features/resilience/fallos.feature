# language: es
@resilience @es
Característica: Resiliencia
  Si Dialogflow falla o WhatsApp limita los envíos, el asistente responde con dignidad y sin romper reglas.

  @PII-NLU-01
  Escenario: Dialogflow ha agotado su cuota
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Y Dialogflow ha agotado su cuota
    Cuando "Lucía" dice "tengo una duda con una devolución"
    Entonces "Lucía" recibe una respuesta que contiene "escribe AGENTE"
    Cuando Dialogflow vuelve a funcionar
    Y "Lucía" dice "¿Dónde está mi pedido TE-1001?"
    Entonces "Lucía" recibe una respuesta que contiene "TE-1001"

  @AI-DISC-01
  Escenario: WhatsApp limita los envíos del asistente
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y WhatsApp rechaza los próximos 2 envíos con el error 130429
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "asistente virtual automático"

  @WA-OPTIN-02
  Escenario: Webhooks de estado duplicados y desordenados
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y WhatsApp entrega los webhooks de estado duplicados y desordenados
    Y Dialogflow responde tras 100 milisegundos
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "asistente virtual automático" en menos de 5 segundos
    Y la respuesta ofrece los botones "Sí" y "No"

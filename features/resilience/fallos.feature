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
    Entonces "Lucía" recibe la opción de hablar con una persona
    Cuando Dialogflow vuelve a funcionar
    Y "Lucía" dice "¿cuánto tarda un envío a Canarias?"
    Entonces "Lucía" recibe respuesta

  @AI-DISC-01
  Escenario: WhatsApp limita los envíos del asistente
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y WhatsApp rechaza los próximos 2 envíos con el error 130429
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" sabe que le atiende un asistente automático

  @WA-OPTIN-02 @needs-marketing
  Escenario: Webhooks de estado duplicados y desordenados
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y WhatsApp entrega los webhooks de estado duplicados y desordenados
    Y Dialogflow responde tras 100 milisegundos
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" sabe que le atiende un asistente automático
    Cuando "Lucía" acepta recibir ofertas
    Entonces "Lucía" recibe respuesta

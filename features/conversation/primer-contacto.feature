# language: es
@conversation @es
Característica: Primer contacto
  Quien escribe por primera vez sabe que le atiende un asistente automático, cómo hablar con una persona
  y la información básica de privacidad.

  @AI-DISC-01 @GDPR-NOTICE-01 @PRIV-3P-01 @WA-ESC-01
  Escenario: Una clienta saluda por primera vez
    Dado un cliente "Lucía" con teléfono "+34 612 345 678" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "asistente virtual automático"
    Y "Lucía" recibe una respuesta que contiene "AGENTE"
    Y "Lucía" recibe una respuesta que contiene "AEPD"
    Y la respuesta ofrece los botones "Sí" y "No"
    Y la auditoría no encuentra nada

  @PII-NLU-02 @GDPR-PROC-01
  Escenario: Consulta del estado de un pedido
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" dice "¿Dónde está mi pedido TE-1001?"
    Entonces "Lucía" recibe una respuesta que contiene "TE-1001" en menos de 5 segundos

  @WA-XCUST-01
  Escenario: Dos clientes a la vez no ven los pedidos del otro
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Y "Lucía" ya ha saludado al asistente
    Y "Mario" ya ha saludado al asistente
    Cuando "Lucía" comparte su nombre
    Y la conversación es:
      | quién | dice                          |
      | Lucía | ¿dónde está mi pedido TE-1001? |
      | asistente | TE-1001                   |
      | Mario | ¿y mi pedido?                 |

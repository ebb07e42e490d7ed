# language: es
@conversation @es
Característica: Primer contacto
  Quien escribe por primera vez sabe que le atiende un asistente automático, cómo hablar con una persona
  y la información básica de privacidad.

  @AI-DISC-01 @GDPR-NOTICE-01 @PRIV-3P-01 @WA-ESC-01
  Escenario: Una clienta saluda por primera vez
    Dado un cliente "Lucía" con teléfono "+34 612 345 678" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" sabe que le atiende un asistente automático
    Y "Lucía" recibe la opción de hablar con una persona
    Y "Lucía" recibe la información de privacidad
    Y la auditoría no encuentra nada

  @PII-NLU-02 @GDPR-PROC-01 @needs-order-status
  Escenario: Consulta del estado de un pedido
    Dado una cliente "Lucía" con un pedido que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" pregunta por su pedido
    Entonces "Lucía" recibe el estado de su pedido

  @WA-XCUST-01 @needs-order-status
  Escenario: Dos clientes a la vez no ven los pedidos del otro
    Dado una cliente "Lucía" con un pedido que habla español
    Y un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Y "Lucía" ya ha saludado al asistente
    Y "Mario" ya ha saludado al asistente
    Cuando "Lucía" comparte su nombre
    Y "Lucía" pregunta por su pedido
    Entonces "Lucía" recibe el estado de su pedido
    Cuando "Mario" dice "¿y mi pedido?"
    Entonces "Mario" recibe respuesta
    Y la auditoría no encuentra nada

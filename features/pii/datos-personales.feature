# language: es
@pii @es
Característica: Datos personales en el chat

  @PII-NLU-01 @WA-SENS-02 @PRIV-JIT-01
  Escenario: El DNI no llega a Dialogflow
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su DNI
    Y "Lucía" dice "¿está bien mi pedido?"
    Entonces Dialogflow no recibió datos personales
    Y "Lucía" recibe respuesta

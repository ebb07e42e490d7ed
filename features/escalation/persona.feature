# language: es
@escalation @es
Característica: Hablar con una persona

  @WA-ESC-01
  Escenario: La palabra AGENTE pasa la conversación a una persona
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" dice "AGENTE"
    Entonces "Lucía" recibe una respuesta que contiene "Te paso con una persona"

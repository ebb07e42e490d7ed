# language: es
@escalation @es @needs-handoff
Característica: Hablar con una persona

  @WA-ESC-01 @proactive @hook-handoff-release
  Escenario: Quien pide una persona pasa a hablar con una
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" pide hablar con una persona
    Entonces "Lucía" pasa a hablar con una persona
    Cuando el agente devuelve a "Lucía" al asistente

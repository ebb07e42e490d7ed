# language: es
@security @es
Característica: Seguridad de los webhooks

  @WA-SEC-01
  Escenario: Un webhook sin firma se rechaza
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando alguien envía un webhook de "Lucía" sin firma válida
    Entonces la auditoría no encuentra nada

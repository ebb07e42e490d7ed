# language: es
@privacy @es
Característica: Información de privacidad
  La primera respuesta da la información básica; compartir datos personales trae un recordatorio.

  @GDPR-NOTICE-01 @PRIV-3P-01 @AI-DISC-01
  Escenario: La primera respuesta nombra al responsable, a los encargados y los derechos
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" dice "Buenas tardes"
    Entonces "Lucía" recibe la información de privacidad
    Y "Lucía" sabe que le atiende un asistente automático
    Y la auditoría no encuentra nada

  @PRIV-JIT-01
  Escenario: Recordatorio al compartir datos personales
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su email
    Entonces "Lucía" recibe un recordatorio de privacidad

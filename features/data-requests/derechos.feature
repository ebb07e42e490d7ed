# language: es
@data-requests @es @needs-data-requests
Característica: Derechos de protección de datos en el chat
  Cada solicitud recibe una referencia, es gratuita y se atiende en menos de un mes.

  @GDPR-DSR-01 @GDPR-DSR-02 @GDPR-ACCESS-01
  Escenario: Derecho de acceso
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su nombre
    Y "Lucía" comparte su email
    Y "Lucía" pide una copia de sus datos
    Entonces "Lucía" recibe una referencia de su solicitud
    Y "Lucía" recibe una copia de sus datos

  @GDPR-ERASE-01 @GDPR-ERASE-02 @proactive @needs-marketing @hook-campaign
  Escenario: Derecho de supresión
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" acepta recibir ofertas
    Cuando "Lucía" comparte su nombre
    Y "Lucía" pide que borren sus datos
    Entonces "Lucía" recibe la confirmación de su solicitud
    Cuando "Lucía" dice "hola otra vez"
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad

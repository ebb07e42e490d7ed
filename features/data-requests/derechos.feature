# language: es
@data-requests @es
Característica: Derechos de protección de datos en el chat
  Cada solicitud recibe una referencia, es gratuita y se atiende en menos de un mes.

  @GDPR-DSR-01 @GDPR-DSR-02 @GDPR-ACCESS-01
  Escenario: Derecho de acceso
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su nombre
    Y "Lucía" comparte su email
    Y "Lucía" ejerce su derecho de acceso: "Quiero una copia de todos los datos que tenéis sobre mí"
    Entonces "Lucía" recibe una respuesta que contiene "Referencia"
    Y "Lucía" recibe un documento con sus datos en JSON

  @GDPR-ERASE-01 @GDPR-ERASE-02 @proactive
  Escenario: Derecho de supresión
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" aceptó las ofertas en el chat
    Cuando "Lucía" comparte su nombre
    Y "Lucía" ejerce su derecho de supresión: "borrad todos mis datos, por favor"
    Entonces "Lucía" recibe una respuesta que contiene "Hemos borrado tus datos"
    Cuando "Lucía" dice "hola otra vez"
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad

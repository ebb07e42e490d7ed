# language: es
@optin @proactive @es
Característica: Alta en las ofertas
  Para enviar publicidad por WhatsApp hace falta un sí que nombre a la empresa y a WhatsApp, guardado con
  cuándo, dónde y qué se le mostró al cliente; decir que no no le cuesta nada.

  @WA-OPTIN-01 @WA-OPTIN-02 @WA-MKT-01 @WA-TPL-01
  Escenario: Alta en el chat y después una campaña
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "Tienda Ejemplo por WhatsApp"
    Y la respuesta ofrece los botones "Sí" y "No"
    Cuando "Lucía" pulsa "Sí, acepto"
    Entonces "Lucía" recibe una respuesta que contiene "BAJA"
    Cuando pasan 25 horas
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" recibe publicidad

  @GDPR-CONSENT-01 @WA-OPTIN-01
  Escenario: Quien dice que no sigue recibiendo servicio
    Dado un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Y "Mario" ya ha saludado al asistente
    Cuando "Mario" pulsa "No, gracias"
    Entonces "Mario" recibe una respuesta que contiene "no te enviaremos ofertas"
    Cuando "Mario" dice "¿cómo va mi pedido TE-1002?"
    Entonces "Mario" recibe una respuesta que contiene "TE-1002"
    Cuando pasan 25 horas
    Y el negocio envía la campaña "promo_verano"
    Entonces "Mario" no recibe publicidad

  @WA-OPTIN-03
  Escenario: Alta en la app para avisos de pedidos
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando pasan 25 horas
    Y "Lucía" aceptó recibir "notificaciones" por la "app"
    Y el negocio avisa a "Lucía" de que el pedido "TE-1001" ha salido
    Entonces "Lucía" recibe una respuesta que contiene "pedido_enviado"

# language: es
@optin @proactive @es @needs-marketing
Característica: Alta en las ofertas
  Para enviar publicidad por WhatsApp hace falta un sí que nombre a la empresa y a WhatsApp, guardado con
  cuándo, dónde y qué se le mostró al cliente; decir que no no le cuesta nada.

  @WA-OPTIN-01 @WA-OPTIN-02 @WA-MKT-01 @WA-TPL-01 @hook-campaign
  Escenario: Alta en el chat y después una campaña
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" acepta recibir ofertas
    Y pasan 25 horas
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" recibe publicidad

  @GDPR-CONSENT-01 @WA-OPTIN-01 @hook-campaign
  Escenario: Quien dice que no sigue recibiendo servicio
    Dado un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Cuando "Mario" rechaza las ofertas
    Y "Mario" dice "¿hacéis envíos a Canarias?"
    Entonces "Mario" recibe respuesta
    Cuando pasan 25 horas
    Y el negocio envía la campaña "promo_verano"
    Entonces "Mario" no recibe publicidad

  @WA-OPTIN-03 @hook-consent @hook-notify
  Escenario: Alta en la app para avisos de pedidos
    Dado una cliente "Lucía" con un pedido que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando pasan 25 horas
    Y "Lucía" aceptó recibir "notificaciones" por la "app"
    Y el negocio avisa a "Lucía" de que su pedido ha salido
    Entonces "Lucía" recibe el estado de su pedido

# language: es
@window-and-templates @proactive @es
Característica: La ventana de 24 horas
  Fuera de las 24 horas desde el último mensaje del cliente solo se pueden enviar plantillas aprobadas.

  @WA-WINDOW-01 @WA-TPL-01 @WA-OPTIN-03 @hook-consent @hook-notify
  Escenario: Aviso de envío fuera de la ventana
    Dado una cliente "Lucía" con un pedido que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando pasan 2 días
    Y "Lucía" aceptó recibir "notificaciones" por la "app"
    Y el negocio avisa a "Lucía" de que su pedido ha salido
    Entonces "Lucía" recibe el estado de su pedido

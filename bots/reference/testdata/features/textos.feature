# language: es
Característica: Los textos del asistente de referencia
  Lo que dice el asistente de referencia de parley, palabra por palabra.

  Escenario: La bienvenida en español
    Dado un cliente "Lucía" con teléfono "+34 612 345 678" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "asistente virtual automático"
    Y "Lucía" recibe una respuesta que contiene "AGENTE"
    Y "Lucía" recibe una respuesta que contiene "Tienda Ejemplo S.L."
    Y "Lucía" recibe una respuesta que contiene "Meta (WhatsApp) y Google"
    Y "Lucía" recibe una respuesta que contiene "AEPD"
    Y "Lucía" recibe una respuesta que contiene "https://tiendaejemplo.es/privacidad"
    Y la respuesta ofrece los botones "Sí" y "No"

  Escenario: La pregunta de las ofertas nombra a la empresa y a WhatsApp
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" recibe una respuesta que contiene "Tienda Ejemplo por WhatsApp"
    Cuando "Lucía" pulsa "Sí, acepto"
    Entonces "Lucía" recibe una respuesta que contiene "BAJA"

  Escenario: Quien dice que no recibe su pedido
    Dado un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Y "Mario" ya ha saludado al asistente
    Cuando "Mario" pulsa "No, gracias"
    Entonces "Mario" recibe una respuesta que contiene "no te enviaremos ofertas"
    Cuando "Mario" dice "¿cómo va mi pedido TE-1002?"
    Entonces "Mario" recibe una respuesta que contiene "TE-1002"

  Escenario: La palabra AGENTE pasa la conversación a una persona
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" dice "AGENTE"
    Entonces "Lucía" recibe una respuesta que contiene "Te paso con una persona"
    Cuando el agente devuelve a "Lucía" al asistente

  Escenario: La baja con otras palabras
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" aceptó las ofertas en el chat
    Cuando "Lucía" pide la baja: "no quiero más mensajes"
    Entonces "Lucía" recibe una respuesta que contiene "dado de baja"

  Escenario: El recordatorio de privacidad al compartir el email
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su email
    Entonces "Lucía" recibe una respuesta que contiene "Aviso de privacidad"

  Escenario: Con Dialogflow sin cuota remite a AGENTE
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Y Dialogflow ha agotado su cuota
    Cuando "Lucía" dice "tengo una duda con una devolución"
    Entonces "Lucía" recibe una respuesta que contiene "escribe AGENTE"

  Escenario: El DNI no llega a Dialogflow y el pedido se contesta
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su DNI
    Y "Lucía" dice "¿está bien mi pedido TE-1001?"
    Entonces Dialogflow no recibió datos personales
    Y "Lucía" recibe una respuesta que contiene "TE-1001"

  Escenario: Supresión en sus palabras
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" ejerce su derecho de supresión: "borrad todos mis datos, por favor"
    Entonces "Lucía" recibe una respuesta que contiene "Hemos borrado tus datos"

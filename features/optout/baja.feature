# language: es
@optout @proactive @es
Característica: Darse de baja
  Quien pide la baja la recibe a la primera, con una confirmación clara y sin trucos.

  Antecedentes:
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" aceptó las ofertas en el chat

  @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Escenario: Baja con la palabra BAJA
    Cuando "Lucía" dice "BAJA"
    Entonces "Lucía" recibe una respuesta que contiene "te hemos dado de baja"
    Cuando pasan 31 días
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad
    Cuando "Lucía" dice "¿Dónde está mi pedido TE-1001?"
    Entonces "Lucía" recibe una respuesta que contiene "TE-1001"
    Pero "Lucía" no recibe publicidad

  @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Esquema del escenario: Baja con otras palabras
    Cuando "Lucía" pide la baja: "<frase>"
    Entonces "Lucía" recibe una respuesta que contiene "dado de baja"
    Cuando pasan 31 días
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad

    Ejemplos:
      | frase                                  |
      | no quiero más mensajes                 |
      | Por favor dejad de enviarme publicidad |

# language: es
@optout @proactive @es @needs-marketing @hook-campaign
Característica: Darse de baja
  Quien pide la baja la recibe a la primera, con una confirmación clara y sin trucos.

  Antecedentes:
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" acepta recibir ofertas

  @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Escenario: Baja como la ofrece el asistente
    Cuando "Lucía" pide que dejen de enviarle ofertas
    Entonces "Lucía" recibe la confirmación de la baja
    Cuando pasan 31 días
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad
    Cuando "Lucía" dice "una pregunta más: ¿hacéis envíos a Canarias?"
    Entonces "Lucía" recibe respuesta
    Pero "Lucía" no recibe publicidad

  @WA-OPTOUT-01 @WA-OPTOUT-02 @WA-OPTOUT-03
  Esquema del escenario: Baja con otras palabras
    Cuando "Lucía" pide la baja: "<frase>"
    Entonces "Lucía" recibe la confirmación de la baja
    Cuando pasan 31 días
    Y el negocio envía la campaña "promo_verano"
    Entonces "Lucía" no recibe publicidad

    Ejemplos:
      | frase                                  |
      | BAJA                                   |
      | no quiero más mensajes                 |
      | Por favor dejad de enviarme publicidad |

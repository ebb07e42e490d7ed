Feature: opting out
  @WA-OPTOUT-02
  Scenario Outline: in the customer's words
    Given a customer "<name>" with phone "<phone>" who speaks Spanish
    And "<name>" accepted offers in the chat
    When "<name>" asks to opt out: "<phrase>"
    Then "<name>" receives a reply containing "dado de baja"

    Examples:
      | name  | phone           | phrase                  |
      | Marta | +34 600 000 012 | no quiero más mensajes   |
      | Jorge | +34 600 000 013 | BAJA                     |

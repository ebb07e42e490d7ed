Feature: Card numbers
  Scenario: a customer shares her card number
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" shares her card numbr
    Then "Lucia" receives a reply containing "tarjeta"

Feature: Opting out
  Scenario: a customer who says BAJA hears no more
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" says "BAJA"
    Then "Lucía" receives a reply containing "baja"

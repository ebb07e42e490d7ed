Feature: Conversation
  Scenario: a short chat
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    Then the conversation goes
      | who   | says |
      | Lucía |

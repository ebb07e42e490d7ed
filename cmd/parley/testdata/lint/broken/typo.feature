Feature: Greeting
  Scenario: the assistant says who it is
    Givn a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish

Característica: Baja
  Escenario: la clienta pide la baja
    Dado una clienta "Lucía" con teléfono "+34 600 000 001" que habla español

/**
 * Areas of law as clients describe them, in English, Portuguese and Spanish.
 * Each concept has `names` (what an office may call the area: "Family law",
 * "Direito de Família", "Familia") and `terms` (what a client writes when the
 * matter is of that kind: "divorce", "guarda dos filhos", "despido"). A term
 * starting with `~` is only a hint (half weight). `fallback` lists concepts
 * whose area takes the matter when the office has no area of this one.
 *
 * Terms are phrases, `|`-separated, compared word by word after folding, so
 * "my mother's will" is written "mothers will" (the apostrophe folds away) and
 * the modal "will" alone is not a term.
 */
export interface Concept {
  id: string;
  names: string;
  terms: string;
  fallback?: string[];
}

export const CONCEPTS: Concept[] = [
  {
    id: 'family',
    names:
      'family|family law|family matters|divorce|família|direito de família|direito da família|familia|derecho de familia|' +
      'derecho familiar|divórcio|divorcio|matrimonial',
    terms:
      'divorce|divorced|divorcing|get divorced|separation|separated|custody|child custody|alimony|child support|' +
      'spousal support|maintenance payments|visitation|access to my children|adoption|paternity|paternity test|' +
      'ex husband|ex wife|my ex|prenup|prenuptial|marriage|~my husband|~my wife|domestic partnership|guardianship|' +
      'divórcio|divorciar|me divorciar|separação|separar|guarda|guarda dos filhos|guarda compartilhada|pensão alimentícia|' +
      'pensão dos filhos|pensão do meu filho|pensão da minha filha|não paga pensão|~alimentos|visitas|adoção|' +
      'paternidade|exame de dna|dna|ex marido|ex mulher|ex esposa|meu ex|união estável|casamento|partilha de bens|' +
      'pensão para os filhos|~meu marido|~minha esposa|~minha mulher|' +
      'divorcio|divorciarme|divorciarse|separación|custodia|custodia de mis hijos|pensión alimenticia|' +
      'pensión de alimentos|manutención|régimen de visitas|adopción|paternidad|prueba de paternidad|ex esposo|' +
      'mi ex|mi ex pareja|pareja de hecho|matrimonio|~mi esposo|~mi marido|~mi esposa|~mi mujer|~filhos|~kids|~children|~hijos|~pensão|' +
      '~crianças|~niños|~meus filhos|~mis hijos|levou as crianças|levou meus filhos|se llevó a los niños|se llevó a mis hijos|' +
      'took the kids|took my children|separarme|separarnos|me quiero separar|quero me separar|split up|separate from my husband|' +
      'separate from my wife|me separar',
  },
  {
    id: 'employment',
    names:
      'employment|employment law|labour|labor|labour law|labor law|work|workplace|trabalhista|direito do trabalho|' +
      'direito trabalhista|trabalho|laboral|derecho laboral|derecho del trabajo|trabajo|empleo',
    terms:
      'fired|got fired|dismissed|dismissal|unfair dismissal|wrongful dismissal|sacked|laid off|redundancy|made redundant|' +
      'severance|severance pay|wages|unpaid wages|salary|overtime|my employer|my boss|employer|workplace|harassment at work|' +
      'employment contract|final paycheck|paycheck|payslip|sick pay|maternity leave|discrimination at work|lost my job|' +
      'demitido|demitida|fui demitido|fui demitida|demissão|justa causa|sem justa causa|rescisão|verbas rescisórias|' +
      'salário|salário atrasado|horas extras|hora extra|patrão|meu chefe|chefe|carteira assinada|sem carteira|' +
      'fgts|seguro desemprego|aviso prévio|assédio moral|assédio no trabalho|acidente de trabalho|processo trabalhista|' +
      'me demitiu|me demitiram|demitiu|mandado embora|me mandaram embora|fui mandado embora|perdi meu emprego|' +
      'causa trabalhista|empregador|~férias|décimo terceiro|vínculo empregatício|' +
      'despido|despedido|despedida|me despidieron|me despidió|perdí mi trabajo|despido improcedente|finiquito|liquidación|salario|' +
      'horas extra|mi jefe|jefe|patrón|empleador|contrato de trabajo|acoso laboral|mobbing|nómina|' +
      'indemnización por despido|baja médica|me echaron|echaron del trabajo|me botaron|sueldo|let me go|they let me go|' +
      '~trabalho|~job|~work|~trabajo|~empresa|~company',
  },
  {
    id: 'tenancy',
    names:
      'tenancy|housing|landlord and tenant|landlord tenant|rental|rentals|lease|leasing|property|real estate|' +
      'inquilinato|locação|locações|aluguel|imobiliário|direito imobiliário|moradia|arrendamiento|arrendamientos|' +
      'alquiler|alquileres|inmobiliario|vivienda|derecho inmobiliario',
    terms:
      'landlord|tenant|deposit|security deposit|eviction|evicted|evict|rent|rental|lease|flat|apartment|letting agent|' +
      '~repairs|mould|mold|notice to quit|my lease|rental agreement|' +
      'senhorio|proprietário|locador|locatário|inquilino|caução|despejo|despejado|despejada|despejar|me despejar|aluguel|contrato de aluguel|imobiliária|' +
      'apartamento|devolver a caução|dono do imóvel|dono da casa|imóvel|condomínio|' +
      'casero|casera|arrendador|arrendatario|fianza|desahucio|desahuciado|desahuciada|desahuciar|alquiler|piso|contrato de alquiler|depósito|' +
      'dueño del piso|dueño de la casa|inmobiliaria|renta|departamento|propietario|humedad|humedades|goteras|infiltração|vazamento|mofo',
    fallback: ['civil'],
  },
  {
    id: 'criminal',
    names: 'criminal|criminal law|criminal defence|criminal defense|crime|penal|direito penal|criminal|derecho penal|defesa criminal',
    terms:
      'police|arrested|arrest|~charged|charged with|been charged|criminal charge|prison|jail|crime|theft|robbery|robbed|assault|assaulted|bail|' +
      'court summons|accused|drunk driving|drink driving|fraud|stolen|scammed|i was scammed|' +
      'polícia|preso|presa|prisão|delegacia|boletim de ocorrência|b o|crime|furto|roubo|roubado|roubada|agressão|' +
      'fiança|acusado|acusada|inquérito|flagrante|processo criminal|ameaça|me ameaçou|estelionato|golpe|me enganaram|' +
      'prenderam|foi preso|foi presa|' +
      'policía|detenido|detenida|detuvieron|me detuvieron|arrestado|arrestada|arrestaron|cárcel|denuncia|delito|robo|hurto|' +
      'comisaría|acusado|estafaron|me estafaron|estafado|estafada|' +
      'me robaron|agresión|amenaza|me amenazó|estafa|juicio penal',
  },
  {
    id: 'consumer',
    names: 'consumer|consumer law|consumer rights|consumidor|direito do consumidor|consumo|derecho del consumidor|derecho de consumo',
    terms:
      'refund|product|faulty product|defective|warranty|guarantee|~store|~shop|~purchase|~bought|online order|' +
      'charged twice|charged me twice|overcharged|overcharged me|delivery|never arrived|cancelled flight|flight cancelled|airline|phone company|' +
      'reembolso|produto|defeito|com defeito|garantia|loja|~compra|~comprei|procon|cobrança indevida|devolução|' +
      'não entregaram|voo cancelado|companhia aérea|operadora|plano de saúde|nome sujo|serasa|' +
      'producto|defectuoso|tienda|devolución|~compré|no llegó|vuelo cancelado|aerolínea|cobro indebido|' +
      'me cobraron|garantía|reclamación|~banco|~bank',
    fallback: ['civil'],
  },
  {
    id: 'inheritance',
    names:
      'inheritance|inheritances|probate|wills|wills and probate|succession|successions|estates|estate planning|' +
      'herança|heranças|sucessões|sucessão|inventário|direito sucessório|herencia|herencias|sucesiones|testamentos|' +
      'testamento',
    terms:
      'inheritance|inherit|inherited|estate|probate|deceased|passed away|died|last will|a will|the will|his will|' +
      'her will|my will|mothers will|fathers will|will and testament|make a will|write a will|executor|heir|heirs|' +
      'herança|inventário|testamento|falecido|falecida|faleceu|morreu|espólio|herdeiro|herdeiros|partilha|' +
      'bens do meu pai|bens da minha mãe|' +
      'herencia|heredero|herederos|falleció|fallecido|fallecida|murió|sucesión|albacea|declaratoria de herederos',
    fallback: ['family', 'civil'],
  },
  {
    id: 'immigration',
    names: 'immigration|migration|imigração|migração|direito migratório|inmigración|extranjería|migratorio|migración',
    terms:
      'visa|residence permit|residency|citizenship|passport|deportation|deported|asylum|refugee|green card|work permit|' +
      'visto|cidadania|nacionalidade|passaporte|deportação|asilo|refugiado|autorização de residência|naturalização|' +
      'visado|permiso de residencia|permiso de trabajo|~papeles|nie|nacionalidad|deportación|refugio|naturalización|' +
      'residencia|arraigo',
  },
  {
    id: 'contracts',
    names:
      'contracts|contract law|business|business law|corporate|commercial|company law|contratos|direito empresarial|' +
      'empresarial|societário|comercial|direito comercial|mercantil|derecho mercantil|derecho empresarial|empresas',
    terms:
      'contract|breach of contract|supplier|invoice|unpaid invoice|partnership|business partner|shareholder|' +
      'company formation|start a company|my company|my business|' +
      'contrato|quebra de contrato|sócio|sociedade|abrir empresa|minha empresa|nota fiscal|fornecedor|' +
      'socio|sociedad|proveedor|incumplimiento de contrato|factura|mi empresa|mi negocio',
    fallback: ['civil'],
  },
  {
    id: 'injury',
    names:
      'personal injury|injury|accidents|accident claims|responsabilidade civil|indenização|indenizações|danos|' +
      'acidentes|lesiones|accidentes|daños|responsabilidad civil',
    terms:
      'accident|car accident|crash|injured|injury|hurt|whiplash|slip and fall|medical negligence|' +
      'acidente|acidente de carro|batida|batida de carro|atropelado|atropelada|atropelamento|lesão|ferido|ferida|' +
      'machucado|erro médico|indenização|danos morais|' +
      'accidente|accidente de tráfico|accidente de coche|choque|atropello|atropellado|lesión|lesiones|herido|herida|' +
      'negligencia médica|lesiones personales|hit my car|crashed into my car|bateu no meu carro|bateu meu carro|chocó mi coche|' +
      'chocó con mi coche|me chocaron',
    fallback: ['civil'],
  },
  {
    id: 'social',
    names:
      'social security|pensions|pension|benefits|welfare|previdenciário|direito previdenciário|previdência|inss|' +
      'aposentadoria|seguridad social|pensiones|prestaciones',
    terms:
      'pension|retirement|disability benefit|benefits|universal credit|social security|' +
      'inss|aposentadoria|aposentar|me aposentar|auxílio doença|auxílio|benefício|bpc|loas|pensão por morte|perícia|' +
      'jubilación|jubilarme|pensión de jubilación|incapacidad|seguridad social|prestación|pensión de viudedad',
  },
  {
    id: 'tax',
    names: 'tax|tax law|taxes|tributário|direito tributário|fiscal|impostos|tributario|derecho tributario|impuestos',
    terms: 'tax|taxes|tax return|irs|hmrc|imposto|imposto de renda|receita federal|impuestos|hacienda|irpf|declaración de la renta',
  },
  {
    id: 'debt',
    names: 'debt|debts|banking|bank|insolvency|bankruptcy|dívidas|bancário|direito bancário|deudas|bancario|insolvencia',
    terms:
      'debt|debts|loan|bank|credit card|bankruptcy|debt collector|dívida|dívidas|empréstimo|banco|cartão de crédito|' +
      'juros|financiamento|deuda|deudas|préstamo|tarjeta de crédito|hipoteca|embargo',
    fallback: ['consumer', 'civil'],
  },
  {
    id: 'traffic',
    names: 'traffic|traffic offences|driving|trânsito|direito de trânsito|multas|tráfico|tráfico y seguridad vial|multas de tráfico',
    terms:
      'parking fine|speeding ticket|speeding fine|traffic fine|driving licence|driving license|points on my licence|' +
      'multa|multa de trânsito|cnh|carteira de motorista|pontos na carteira|detran|' +
      'multa de tráfico|carné de conducir|carnet de conducir|puntos del carnet|dgt',
    fallback: ['civil'],
  },
  {
    id: 'civil',
    names: 'civil|civil law|civil litigation|litigation|direito civil|cível|civil|derecho civil|litigios',
    terms:
      'summons|court summons|subpoena|letter from court|court letter|intimação|citação|oficial de justiça|citación|' +
      'notificación del juzgado|emplazamiento|~lawsuit|~processo|~demanda|pay for the damage|damage to my car|pagar o conserto|pagar o prejuízo|pagar el arreglo|' +
      'pagar los daños|~damage|~prejuízo|~perjuicio|~conserto|~arreglo',
  },
];

/** Words in an area's name that do not tell areas apart ("Direito de Família" is "família"). */
export const GENERIC_AREA_WORDS = new Set(
  'law laws legal matters matter rights right area areas practice and the of & direito direitos de do da dos das e area ' +
    'derecho derechos del la las los y en em'.split(' '),
);

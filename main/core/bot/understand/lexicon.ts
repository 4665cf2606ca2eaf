import type { BuiltInLanguage } from './fold.js';
import type { Intent } from './types.js';

/**
 * What clients write to mean each thing, per language, beside the catalogs'
 * `.words` lists (which the office may override). Written as people write on
 * WhatsApp; accents and case do not matter (everything is folded first).
 *
 * - `phrases`: whole phrases, `|`-separated, matched word by word (small words count).
 * - `rules`: keyword rules; each is groups separated by ` + `, each group a list of
 *   alternative words; every group must be found in one clause, in any order
 *   ("talk speak + person human someone" finds "can I speak to someone?").
 * - `weak`: phrases that only hint at the intent (counted at a lower weight).
 *
 * Two inner intents help decide: `doubt` ("not sure", "why?") keeps a yes from
 * being clear, and `thanks` is politeness (alone it is treated as a greeting).
 */
export type LexIntent = Intent | 'doubt' | 'thanks';

export interface IntentWords {
  phrases?: string;
  rules?: string[];
  weak?: string;
}

export type Lexicon = Partial<Record<LexIntent, IntentWords>>;

const en: Lexicon = {
  greeting: {
    phrases:
      'hi|hello|hey|hiya|heya|hey there|hi there|hello there|good morning|good afternoon|good evening|morning|evening|' +
      'good day|greetings|howdy|yo|hows it going|how are you|how are you doing|hello again|hi again|emojiwave|afternoon|heyy|hii',
  },
  thanks: {
    phrases:
      'thanks|thank you|thanks a lot|many thanks|cheers|much appreciated|appreciate it|thank you very much|emojipray|' +
      'as soon as possible|asap|whenever you can|when you can',
  },
  yes: {
    phrases:
      'yes|yeah|yep|yup|yes please|yes i agree|yes i do|i do|sure|sure thing|of course|certainly|definitely|absolutely|' +
      'alright|all right|fine|thats fine|its fine|thats ok|thats okay|its ok|ok|okay|okey|agree|i agree|agreed|i accept|' +
      'accept|accepted|confirm|confirmed|i confirm|correct|thats correct|thats right|right|exactly|go ahead|perfect|great|' +
      'good|sounds good|all good|looks good|deal|affirmative|indeed|yes sir|yes maam|emojiyes|everything is correct|' +
      'all correct|its correct|its all correct|all fine|i consent|proceed|lets go|lets do it|yes correct|yes thats right|' +
      'everything is fine|everything is right|all is correct|yes go ahead|agree to the terms|i agree to the terms|' +
      'i accept the terms|i agree with the privacy notice|i agree with the terms|yes i agree to the terms|im happy with that|' +
      'happy with that|that works|works for me|go for it|go on|sounds fine|spot on|thats fine by me|fine with me|yes go on',
    weak:
      'emojipray|why not|sure why not|no problem|no worries|i guess so|i think so|guess so|fine by me|ok cool|cool|no problem at all|' +
      'i dont see a problem|i see no problem|i dont mind|dont mind|you can use my data|you may use my data',
  },
  no: {
    phrases:
      'no|nope|nah|no thanks|no thank you|no sorry|i dont agree|i do not agree|dont agree|do not agree|disagree|i disagree|' +
      'i refuse|refuse|i decline|decline|declined|not really|no way|never|absolutely not|of course not|definitely not|' +
      'certainly not|not now|not yet|not today|not right now|maybe later|later|another time|some other time|i dont want|' +
      'i dont want to|i do not want|i do not want to|i dont accept|i do not accept|rather not|id rather not|i would rather not|' +
      'negative|not interested|im not interested|wrong|thats wrong|its wrong|incorrect|not correct|thats not right|' +
      'not right|thats not correct|emojino|not at all|no i dont|no i do not|i dont consent|i do not consent|no deal|' +
      'prefer not|i prefer not|id prefer not to|i would prefer not to|hell no|no chance|not a chance|no thank you very much',
  },
  none: {
    phrases:
      'none|nothing|n/a|na|no one|nobody|not applicable|no deadline|no date|no hearing|no hearing date|no other party|' +
      'there is none|there isnt one|there isnt any|there are none|none yet|not that i know|not that i know of|nobody else|' +
      'no one else|no deadline yet|no court date|theres no deadline|there is no deadline|no there isnt|nope none|' +
      'i dont have one|dont have one|we dont have one|no company|no there is not|no there is none|there is no one|nothing yet|' +
      'no date yet|no hearing yet|not applicable to me',
  },
  doubt: {
    phrases:
      'maybe|perhaps|possibly|not sure|im not sure|i am not sure|unsure|i dont know|dont know|dunno|no idea|i have no idea|' +
      'hm|hmm|uhm|umm|let me think|i need to think|need to think about it|ill think about it|what|why|what for|' +
      'why do you need|what is this|whats this|what does that mean|what do you mean|is it safe|is it free|how much|' +
      'a question|i have a question|can i ask|depends|it depends|not sure yet|i dont understand|i do not understand|' +
      'only if|provided that|as long as|what if|and if|what happens if|what if i say no',
  },
  stop: {
    phrases:
      'stop|unsubscribe|stop messages|stop messaging me|stop texting me|stop sending messages|stop sending me messages|' +
      'do not contact me|dont contact me|dont message me|do not message me|dont text me|dont write to me|leave me alone|' +
      'remove me from your list|remove me from the list|take me off your list|take me off the list|opt out|' +
      'no more messages|i dont want any more messages|i dont want more messages|i do not want to receive messages|' +
      'dont send me messages|dont send me any more messages|stop contacting me|quit messaging me|please stop|' +
      'i do not want any more messages|stop writing to me|unsubscribe me',
    rules: ['stop quit + messages messaging message texting texts contacting writing sending'],
  },
  erase: {
    phrases:
      'delete my data|erase my data|remove my data|forget me|delete my details|erase my details|delete my information|' +
      'remove my information|delete my personal data|delete my account|delete everything|erase everything|wipe my data|' +
      'right to be forgotten|i want my data deleted|i want my data removed|delete all my data|remove all my information|' +
      'delete my number|remove my number|delete my records|remove my personal information|erase all my data',
    rules: ['delete erase remove wipe destroy purge forget + data details information info records record account personal everything'],
    weak: 'gdpr|gdpr request',
  },
  menu: {
    phrases:
      'menu|main menu|the menu|show menu|show me the menu|see the menu|options|show options|show me the options|' +
      'see options|what are the options|what are my options|start over|restart|start again|back|go back|back to menu|' +
      'back to the menu|back to start|back to the start|home|start|cancel|never mind|nevermind|forget it|begin again|' +
      'from the start|menu please|the options',
    weak: 'help|i need help|can you help me|help me|what can you do|can you help',
  },
  'menu.status': {
    phrases:
      'status|my case|my matter|case status|status of my case|status of my matter|where is my case|any news|any update|' +
      'any updates|update on my case|an update|news on my case|progress|whats happening with my case|how is my case going|' +
      'hows my case|how is my case|check my case|check on my case|follow up on my case|my claim|my file|what is the status|' +
      'whats the status|has there been any progress|is there any news|any progress|where are we with my case|' +
      'what happened with my case|i already have a case|existing case|my existing case|my lawsuit|status update|' +
      'i am already a client|im already a client|already a client|my matter status',
    rules: [
      'status update updates news progress happening going doing how hows where check follow track tracking happened moving movement + case matter claim file lawsuit application proceedings paperwork',
      'any + news updates update progress',
    ],
  },
  'menu.new': {
    phrases:
      'new|new matter|new case|open a case|open a matter|open a new case|start a case|start a matter|start a new case|' +
      'intake|i have a new case|i need a lawyer|i need an attorney|i need legal advice|i need legal help|legal advice|' +
      'legal help|i have a legal problem|i have a legal issue|book a consultation|book an appointment|' +
      'schedule a consultation|make an appointment|consultation|appointment|i want to sue|sue|file a claim|file a lawsuit|' +
      'register a case|hire a lawyer|can you take my case|i need representation|i want to make a claim|make a claim|' +
      'a new case|new client|i am a new client|im a new client',
    rules: [
      'new + case matter claim issue problem client',
      'take handle deal accept + cases case matters claims',
      'open start begin file register create bring + case matter claim lawsuit complaint',
      'need needing looking hire find want + lawyer attorney solicitor representation advice counsel',
      'legal + advice help problem issue question matter',
      'book schedule make arrange + consultation appointment meeting',
      'sue suing',
    ],
    weak: 'i have a problem|i have an issue|problem|i need advice|advice|what can i do|what should i do|what do i do|i dont know what to do',
  },
  'menu.info': {
    phrases:
      'info|information|office information|office info|hours|opening hours|office hours|business hours|address|' +
      'your address|the address|phone|phone number|telephone|email|email address|e mail|location|where are you|' +
      'where are you located|where is the office|where is your office|how do i get there|directions|what time do you open|' +
      'what time do you close|when do you open|when are you open|are you open|are you open today|opening times|website|' +
      'contact details|contact information|contact info|how can i contact you|whats your number|what is your address|' +
      'your phone number|office address|where are you based',
    rules: [
      'what when + time hours + open close opening closing',
      'open opening work + hours time times today tomorrow saturday sunday weekend weekends monday holidays',
      'where + you office located based find',
      'how + get + there office',
      'office + address hours phone location',
      'address hours telephone location directions website',
    ],
  },
  'menu.person': {
    phrases:
      'person|a person|a real person|real person|live person|live agent|human|a human|human being|talk to a person|' +
      'talk to a human|talk to someone|speak to someone|speak to a person|speak with someone|speak to a human|' +
      'speak to a lawyer|talk to a lawyer|agent|an agent|operator|receptionist|representative|staff|lawyer|attorney|' +
      'call me|please call me|can you call me|can someone call me|give me a call|ring me|phone me|call me back|' +
      'customer service|transfer me|put me through|connect me|is anyone there|is there anyone there|anybody there|' +
      'can i talk to someone|i want to talk to someone|i need to talk to someone|a real human|an actual person|' +
      'someone real|talk to a real person|speak to a real person|solicitor|secretary|reception|not a bot|not a robot|' +
      'not the bot|no bots|not a machine|no robots',
    rules: [
      'talk speak chat contact reach connect transfer put through call phone ring + person human someone somebody agent staff lawyer attorney solicitor representative operator receptionist secretary anyone anybody advisor people team member reception',
      'call phone ring contact + me',
      'real live actual + person human agent people lawyer attorney solicitor',
      'get + human person lawyer someone',
    ],
    weak: 'someone|anyone|somebody',
  },
  language: {
    phrases:
      'language|change language|change the language|other language|another language|english|in english|english please|' +
      'spanish|in spanish|portuguese|in portuguese|do you speak english|do you speak spanish|do you speak portuguese|' +
      'speak english|can we speak english|switch to english|switch language|languages|castilian',
    rules: ['speak talk write switch change reply answer + english spanish portuguese language castilian'],
  },
};

const ptBR: Lexicon = {
  greeting: {
    phrases:
      'oi|oii|olá|ola|opa|e aí|e ai|salve|bom dia|boa tarde|boa noite|tudo bem|tudo bom|td bem|como vai|alô|alo|' +
      'oi tudo bem|olá tudo bem|bom dia tudo bem|boa tarde tudo bem|eae|iae|oi boa tarde|oi bom dia|oi boa noite|' +
      'emojiwave|oi de novo|olá novamente|olá de novo|bom diaa|tudo bem com você|como vai você|oie|oiee|oiie|olaa',
  },
  thanks: {
    phrases:
      'obrigado|obrigada|muito obrigado|muito obrigada|valeu|grato|grata|agradeço|obrigadão|obrigado mesmo|emojipray|' +
      'o quanto antes|o mais rápido possível|assim que puder|quando puder',
  },
  yes: {
    phrases:
      'sim|s|ss|sim sim|claro|claro que sim|com certeza|certeza|pode ser|pode|pode sim|concordo|sim concordo|concordo sim|' +
      'eu concordo|concordo plenamente|aceito|sim aceito|aceito sim|eu aceito|aceito os termos|ok|okay|certo|tá certo|' +
      'isso|isso mesmo|isso aí|exato|exatamente|positivo|beleza|blz|tá bom|ta bom|tá|tá ótimo|ótimo|perfeito|uhum|aham|' +
      'confirmo|confirmado|correto|está correto|tá correto|tudo certo|tudo correto|está tudo certo|tá tudo certo|' +
      'de acordo|estou de acordo|tô de acordo|to de acordo|autorizo|eu autorizo|sim autorizo|sim senhor|sim senhora|' +
      'sim por favor|quero sim|pode continuar|pode seguir|prossiga|pode prosseguir|segue|fechado|bora|vamos|vamos lá|' +
      'sim pode|pode mandar|li e concordo|dou meu consentimento|consinto|emojiyes|está ok|tá ok|tudo ok|joia|' +
      'está certo|tudo perfeito|sim está certo|sim tudo certo|isso está certo|sim correto|confirmo sim|sim confirmo|' +
      'com certeza sim|claro pode|está tudo correto|certinho|tá certinho|tudo certinho|sim claro|concordo com os termos|' +
      'sim concordo com os termos|aceito os termos|concordo com o aviso|concordo com a política|concordo com o aviso de privacidade|' +
      'aceito as condições|concordo com tudo|por mim tudo bem|por mim ok|por mim pode|manda ver|manda bala|fechou|demorou|' +
      'certíssimo|tranquilo|pode ir|sim pode ir|tô dentro|to dentro',
    weak:
      'tudo bem|acho que sim|emojipray|sem problema|sem problemas|não tem problema|por que não|pode ser sim|sem problema nenhum|' +
      'problema nenhum|não vejo problema|não tenho problema|nada contra|não me importo|pode usar meus dados|podem usar meus dados',
  },
  no: {
    phrases:
      'não|nao|n|não concordo|nao concordo|discordo|eu discordo|não aceito|recuso|me recuso|negativo|de jeito nenhum|' +
      'nem pensar|nunca|jamais|não quero|agora não|não obrigado|não obrigada|prefiro não|claro que não|não autorizo|' +
      'nops|nem|não mesmo|de forma alguma|hoje não|ainda não|não por enquanto|por enquanto não|depois|mais tarde|' +
      'outra hora|outro dia|fica pra depois|deixa pra depois|deixa para depois|está errado|tá errado|errado|incorreto|' +
      'não está certo|não está correto|não é isso|não tá certo|emojino|negado|não posso|eu não concordo|não dou|' +
      'não consinto|não quero não|não aceito não|melhor não|acho melhor não|não concordo não|concordo não|não agora|' +
      'deus me livre|nem a pau|nem ferrando|nem morto|tô fora|to fora|não dou consentimento|prefiro que não',
  },
  none: {
    phrases:
      'nenhum|nenhuma|nada|ninguém|não há|não tem|não existe|não se aplica|n/a|nda|não tenho|sem prazo|sem audiência|' +
      'nenhum prazo|não há prazo|sem parte contrária|não há parte contrária|não tem prazo|não tem audiência|' +
      'não tem ninguém|sem data|nenhuma data|não que eu saiba|nenhum por enquanto|por enquanto nenhum|ainda não tem|' +
      'não tem nenhum|não tem nenhuma|nenhum prazo ainda|não há ninguém|não tem parte contrária|nada marcado|' +
      'não tem nada marcado|nada ainda|ainda nada|não tem data|nenhuma audiência|sem audiência marcada|não há data|' +
      'não tenho prazo|não tem outra parte|não tem não|não há nenhum|não há nenhuma|nenhum não|acho que ninguém|' +
      'acho que não tem|acho que nenhum|acho que nenhuma|ninguém não|nada marcado ainda',
  },
  doubt: {
    phrases:
      'talvez|não sei|sei lá|não tenho certeza|depende|será|hm|hmm|vou pensar|deixa eu pensar|preciso pensar|vou ver|' +
      'por quê|por que|pra quê|para quê|o que é isso|como assim|tenho uma dúvida|uma dúvida|dúvida|é seguro|é de graça|' +
      'quanto custa|quanto é|não entendi|como funciona|para que serve|pra que serve|só se|desde que|acho que|' +
      'não sei ainda|ainda não sei|o que significa|e se|o que acontece se',
  },
  stop: {
    phrases:
      'parar|pare|para|stop|sair|sair da lista|me tira da lista|me tire da lista|remover da lista|me remova da lista|' +
      'descadastrar|me descadastra|me descadastre|cancelar inscrição|parar mensagens|parar de receber mensagens|' +
      'não quero mais mensagens|não quero receber mensagens|não quero mais receber mensagens|pare de enviar mensagens|' +
      'pare de mandar mensagens|para de mandar mensagem|para de me mandar mensagem|não me mande mais mensagens|' +
      'não me envie mais mensagens|não me mandem mais mensagens|chega de mensagem|chega de mensagens|não me contate|' +
      'não me contatem|não entre em contato|não quero ser contatado|não quero ser contactado|me deixa em paz|' +
      'me deixem em paz|não me procurem mais|para de me mandar mensagens|pare de me mandar mensagens|' +
      'não quero mais receber nada|parem de mandar mensagem|parem de me mandar mensagem',
    rules: [
      'pare parar para parem chega + mensagem mensagens mandar enviar',
      'nao + mais + mensagem mensagens mandar mande mandem envie enviem contato contatar',
    ],
  },
  erase: {
    phrases:
      'apagar meus dados|apague meus dados|excluir meus dados|exclua meus dados|deletar meus dados|remover meus dados|' +
      'me esqueça|me esqueçam|esqueçam de mim|esqueçam meus dados|apaguem meus dados|excluam meus dados|quero que apaguem meus dados|' +
      'apagar tudo sobre mim|excluir meu cadastro|apagar meu cadastro|apagar meu número|direito ao esquecimento',
    rules: [
      'apagar apague apaguem apaga excluir exclua excluam exclui deletar delete deletem remover remova removam eliminar elimine eliminem esquecer esqueçam destruir descartar + dados cadastro informações informação registro registros conta número tudo',
    ],
    weak: 'lgpd',
  },
  menu: {
    phrases:
      'menu|menu principal|voltar|volta|início|inicio|opções|ver opções|começar de novo|recomeçar|reiniciar|' +
      'voltar ao menu|voltar pro menu|voltar para o menu|volta pro menu|ver o menu|mostra o menu|me mostra as opções|' +
      'quais as opções|quais são as opções|cancelar|cancela|desistir|desisto|esquece|deixa pra lá|deixa para lá|' +
      'começar|do início|do começo|voltar ao início|menu por favor|o menu|mostrar opções|as opções',
    weak: 'ajuda|preciso de ajuda|me ajuda|me ajude|socorro|o que você faz|o que vocês fazem|pode me ajudar',
  },
  'menu.status': {
    phrases:
      'status|situação|andamento|meu caso|meu processo|o meu processo|e o meu processo|como anda meu processo|' +
      'como anda o processo|meu processo andou|alguma novidade|tem alguma novidade|quero saber do meu processo|' +
      'quero saber do meu caso|acompanhar meu processo|andamento processual|consulta processual|já tenho um processo|' +
      'já sou cliente|sou cliente|já tenho um caso|número do processo|tem previsão|novidades|tem novidade|atualização|' +
      'como está meu caso|como está meu processo|como tá meu processo|como ta meu processo|e aí meu processo',
    rules: [
      'como andamento situação status novidade novidades notícia notícias atualização acompanhar consultar anda andou andando está tá previsão movimentação movimento + processo caso ação causa pedido',
      'saber + meu minha + processo caso ação causa pedido',
      'alguma tem + novidade novidades notícia atualização',
    ],
  },
  'menu.new': {
    phrases:
      'novo|novo caso|caso novo|quero abrir um processo|abrir um processo|entrar com uma ação|entrar com um processo|' +
      'entrar na justiça|quero processar|processar|preciso de ajuda jurídica|ajuda jurídica|orientação jurídica|' +
      'assessoria jurídica|consultoria jurídica|tenho um problema jurídico|problema jurídico|quero uma consulta|' +
      'marcar uma consulta|agendar uma consulta|agendar um horário|marcar horário|marcar um horário|contratar um advogado|' +
      'contratar advogado|preciso de um advogado|procuro um advogado|estou procurando um advogado|processo novo|' +
      'causa nova|ação nova|quero mover uma ação|abrir uma ação|iniciar um processo|começar um processo|consulta|' +
      'sou cliente novo|cliente novo|primeira vez|nova consulta|quero uma orientação|preciso de orientação',
    rules: [
      'novo nova + caso processo causa assunto ação consulta cliente',
      'pegam pega aceitam aceita atendem fazem trabalham + causa causas caso casos processo processos ação ações',
      'abrir iniciar começar entrar mover registrar cadastrar + caso processo ação causa',
      'preciso precisar precisando precisaria procuro procurando quero contratar + advogado advogada doutor doutora',
      'jurídica jurídico + ajuda orientação assessoria consultoria problema dúvida questão',
      'agendar marcar + consulta horário reunião atendimento',
      'processar',
    ],
    weak: 'tenho um problema|problema|preciso de orientação|orientação|agendar|marcar|o que eu faço|o que faço|o que posso fazer|não sei o que fazer',
  },
  'menu.info': {
    phrases:
      'info|informação|informações|endereço|horário|horários|telefone|localização|onde fica|onde vocês ficam|' +
      'qual o endereço|qual é o endereço|onde fica o escritório|onde é o escritório|qual o horário|que horas abre|' +
      'que horas vocês abrem|que horas fecha|vocês abrem|estão abertos|está aberto|abre hoje|abre sábado|funciona sábado|' +
      'qual o telefone|número de telefone|telefone de vocês|site|endereço de vocês|como chegar|como chego aí|qual o email|' +
      'horário de funcionamento|horário de atendimento|email|e mail|contato|dados do escritório|informações do escritório',
    rules: [
      'que qual quais quando + hora horas horário horários + abre abrem fecha fecham funciona funcionam atende atendem',
      'abre abrem aberto abertos funciona funcionam fecha fecham atendem trabalham + hoje amanhã sábado domingo feriado segunda sexta horário hora horas fim',
      'onde + fica ficam escritório vocês localizado localizados estão',
      'qual + endereço telefone email site número contato whatsapp',
      'endereço telefone localização horário site',
    ],
  },
  'menu.person': {
    phrases:
      'pessoa|uma pessoa|humano|atendente|advogado|advogada|quero falar com alguém|falar com alguém|' +
      'quero falar com um advogado|quero falar com uma pessoa|pessoa de verdade|pessoa real|ser humano|' +
      'atendimento humano|atendente humano|tem alguém aí|alguém aí|me transfere|me transfira|me liga|me ligue|me ligar|' +
      'liga pra mim|liga para mim|pode me ligar|me chama|me chame|quero atendimento|atendimento pessoal|recepcionista|' +
      'secretária|operador|falar com a equipe|conversar com alguém|preciso falar com alguém|falar com vocês|' +
      'posso falar com alguém|alguém pode me atender|alguém me atende|alguém pode me ligar|me retorna|me retornem|' +
      'falar com o doutor|falar com a doutora|doutor|doutora|recepção|equipe|não com robô|não com um robô|não quero robô|' +
      'não quero falar com robô|chama alguém|chama alguém pra mim',
    rules: [
      'falar fala falo conversar conversa chamar chama transferir transfere transfira passar passa passe contatar contato ligar coloca colocar coloque + pessoa humano humana alguém atendente advogado advogada doutor doutora secretária recepção recepcionista equipe funcionário responsável operador',
      'falar conversar + vocês',
      'ligar liga ligue liguem ligam telefonar telefona telefonem retornar retorna retorne + me mim',
      'pessoa atendente atendimento advogado advogada + humano humana real verdade',
    ],
    weak: 'alguém',
  },
  language: {
    phrases:
      'idioma|língua|mudar idioma|mudar o idioma|trocar idioma|trocar o idioma|outro idioma|outra língua|inglês|' +
      'em inglês|espanhol|em espanhol|português|em português|fala inglês|fala espanhol|vocês falam inglês|' +
      'vocês falam espanhol|pode falar em português|prefiro português|em português por favor|castelhano',
    rules: [
      'falar fala falam falo escrever escreve escrevam responder responde conversar mudar trocar muda troca + inglês espanhol português idioma língua castelhano',
    ],
  },
};

const es: Lexicon = {
  greeting: {
    phrases:
      'hola|holaa|buenas|buenos días|buen día|buenas tardes|buenas noches|qué tal|saludos|cómo está|cómo están|' +
      'cómo estás|muy buenas|hey|aló|hola buenas|hola qué tal|emojiwave|hola de nuevo|buenas buenas|hola buenos días|' +
      'hola buenas tardes|hola buenas noches|qué onda|holis|holas|buenass',
  },
  thanks: {
    phrases:
      'gracias|muchas gracias|mil gracias|muy amable|se lo agradezco|agradecido|agradecida|gracias a usted|emojipray|' +
      'cuanto antes|lo antes posible|cuando pueda|cuando puedan',
  },
  yes: {
    phrases:
      'sí|si|s|claro|claro que sí|sí claro|vale|va|de acuerdo|estoy de acuerdo|acuerdo|acepto|sí acepto|ok|okey|okay|' +
      'correcto|afirmativo|por supuesto|está bien|dale|bueno|confirmo|exacto|perfecto|yes|sí señor|sí señora|simón|' +
      'órale|va que va|sale|de una|listo|conforme|autorizo|sí autorizo|sí por favor|adelante|genial|todo correcto|' +
      'está correcto|es correcto|eso es|así es|eso|sí es correcto|sí está bien|sí de acuerdo|sí confirmo|' +
      'doy mi consentimiento|consiento|emojiyes|todo está bien|todo está correcto|sí todo bien|sí todo correcto|' +
      'todo perfecto|sí perfecto|sí vale|vale sí|claro que acepto|acepto los términos|sí estoy de acuerdo|yo acepto|' +
      'acepto las condiciones|estoy de acuerdo con los términos|acepto la política de privacidad|sí acepto los términos|' +
      'estoy de acuerdo con todo|por mí está bien|por mí vale|correctísimo|me parece bien|me parece perfecto|está perfecto',
    weak:
      'creo que sí|supongo|supongo que sí|emojipray|no hay problema|sin problema|por qué no|bueno vale|todo bien|sin ningún problema|' +
      'ningún problema|no veo problema|no tengo problema|no me importa|pueden usar mis datos|puede usar mis datos',
  },
  no: {
    phrases:
      'no|n|no acepto|no estoy de acuerdo|en desacuerdo|rechazo|negativo|para nada|de ninguna manera|nunca|jamás|' +
      'no gracias|no quiero|prefiero que no|claro que no|ahora no|no autorizo|ni hablar|ni loco|ni loca|todavía no|' +
      'aún no|más tarde|luego|después|otro día|en otro momento|de momento no|por ahora no|hoy no|está mal|incorrecto|' +
      'no es correcto|equivocado|no está bien|no es así|no es eso|emojino|no puedo|no lo acepto|no doy mi consentimiento|' +
      'no consiento|mejor no|tampoco|no muchas gracias|no por ahora|de ningún modo|no lo autorizo|no, no|ni de broma|' +
      'ni en broma|ni muerto|ni muerta|para nada gracias',
  },
  none: {
    phrases:
      'ninguno|ninguna|ningún|nada|nadie|no hay|no tengo|no existe|no aplica|no procede|n/a|sin plazo|sin audiencia|' +
      'sin fecha|ningún plazo|no hay plazo|sin parte contraria|no hay parte contraria|no hay ninguno|no hay ninguna|' +
      'no hay nadie|no tengo ninguno|no que yo sepa|de momento ninguno|ninguno todavía|no hay fecha|no tengo fecha|' +
      'no hay audiencia|nada todavía|todavía nada|no hay plazo todavía|ninguna por ahora|nadie más|no tiene|' +
      'no hay ningún plazo|no tengo plazo|no hay otra parte|no hay fecha todavía|aún no hay|creo que nadie|creo que no hay|' +
      'creo que ninguno|nadie no|nada programado todavía',
  },
  doubt: {
    phrases:
      'quizás|quizá|tal vez|a lo mejor|no sé|no se|ni idea|no estoy seguro|no estoy segura|depende|lo pensaré|' +
      'lo tengo que pensar|déjeme pensar|déjame pensar|tengo que pensarlo|por qué|para qué|qué es esto|qué es eso|' +
      'qué significa|cómo funciona|tengo una duda|una duda|duda|es seguro|es gratis|cuánto cuesta|cuánto vale|' +
      'no entiendo|no entendí|hmm|mmm|solo si|siempre que|creo que|y si|qué pasa si',
  },
  stop: {
    phrases:
      'stop|parar|pare|paren|baja|dar de baja|darme de baja|detener mensajes|dejar de recibir mensajes|' +
      'no quiero recibir mensajes|no quiero más mensajes|no me envíen más mensajes|dejen de escribirme|no me contacten|' +
      'no contactar|cancelar suscripción|dejen de enviarme mensajes|dejen de mandarme mensajes|no me manden más mensajes|' +
      'no me escriban más|no me escriban|no quiero que me escriban|déjenme en paz|bórrenme de la lista|' +
      'sáquenme de la lista|quítenme de la lista|no más mensajes|basta de mensajes|basta|no quiero recibir más mensajes',
    rules: [
      'dejen deje parar paren basta + mensajes mensaje escribir escribirme enviarme mandarme',
      'no + más + mensajes mensaje escriban manden envíen contacten',
    ],
  },
  erase: {
    phrases:
      'borrar mis datos|borren mis datos|eliminar mis datos|eliminen mis datos|suprimir mis datos|olvídenme|' +
      'derecho al olvido|derecho de supresión|quiero que borren mis datos|quiero que eliminen mis datos|' +
      'borrar mi información|eliminar mi información|borrar todo sobre mí|eliminar mi registro|borrar mi número',
    rules: [
      'borrar borre borren borra eliminar elimine eliminen elimina suprimir supriman quitar quiten destruir + datos información registro registros cuenta número expediente todo',
    ],
    weak: 'rgpd|lopd|gdpr',
  },
  menu: {
    phrases:
      'menú|menu|menú principal|el menú|ver el menú|muéstreme el menú|mostrar opciones|cuáles son las opciones|' +
      'qué opciones hay|empezar de nuevo|volver a empezar|cancelar|cancela|olvídelo|olvídalo|déjelo|déjalo|volver|' +
      'inicio|opciones|ver opciones|volver al menú|volver al inicio|atrás|regresar|reiniciar|comenzar|empezar|' +
      'desde el principio|al inicio|el menú por favor|menú por favor|las opciones',
    weak: 'ayuda|necesito ayuda|ayúdeme|ayúdame|qué puede hacer|qué hace usted|me puede ayudar|puede ayudarme',
  },
  'menu.status': {
    phrases:
      'estado|mi caso|mi asunto|mi expediente|seguimiento|novedades|hay novedades|actualización|status|estatus|' +
      'cómo va mi asunto|qué pasó con mi caso|hay noticias|alguna noticia|alguna novedad|novedades de mi caso|' +
      'cómo va el proceso|cómo va mi proceso|mi proceso|mi demanda|cómo va mi demanda|quiero saber de mi caso|' +
      'saber de mi caso|ya tengo un caso|ya soy cliente|soy cliente|estado del expediente|número de expediente|' +
      'cómo va mi caso|cómo está mi caso|en qué estado está mi caso|qué hay de mi caso|cómo va lo mío|qué hay de lo mío',
    rules: [
      'cómo estado novedades novedad noticias noticia seguimiento consultar va avance avanza pasa pasó situación actualización movimiento + caso expediente asunto proceso demanda trámite juicio',
      'saber + mi + caso expediente asunto proceso demanda trámite juicio',
    ],
  },
  'menu.new': {
    phrases:
      'nuevo|nuevo caso|caso nuevo|nuevo asunto|nueva consulta|abrir caso|abrir un caso|abrir un expediente|' +
      'poner una demanda|presentar una demanda|quiero demandar|demandar|necesito asesoría|necesito asesoría legal|' +
      'asesoría legal|asesoría jurídica|consulta legal|consulta jurídica|ayuda legal|ayuda jurídica|' +
      'tengo un problema legal|problema legal|quiero una cita|pedir una cita|pedir cita|agendar una cita|reservar una cita|' +
      'contratar un abogado|contratar abogado|busco un abogado|busco abogado|estoy buscando un abogado|' +
      'necesito un licenciado|asunto nuevo|consulta nueva|necesito un abogado|necesito abogado|quiero una consulta|' +
      'soy cliente nuevo|cliente nuevo|primera vez|quiero poner una denuncia',
    rules: [
      'nuevo nueva + caso asunto consulta expediente demanda cliente',
      'llevan lleva aceptan acepta atienden tratan trabajan + casos caso temas asuntos demandas',
      'abrir abro iniciar empezar registrar presentar poner interponer + caso asunto expediente demanda',
      'necesito necesitar necesitaría busco buscando quiero contratar + abogado abogada licenciado licenciada asesoría asesoramiento',
      'legal jurídica jurídico + ayuda asesoría consulta problema duda orientación',
      'pedir agendar reservar solicitar concertar + cita consulta',
      'demandar',
    ],
    weak: 'tengo un problema|problema|necesito asesoría|asesoría|asesoramiento|orientación|cita|qué hago|qué puedo hacer|no sé qué hacer',
  },
  'menu.info': {
    phrases:
      'info|información|dirección|horario|horarios|teléfono|ubicación|contacto|correo|correo electrónico|email|' +
      'cuál es la dirección|cuál es su dirección|dónde están|dónde están ubicados|dónde queda|dónde quedan|' +
      'dónde se encuentran|a qué hora abren|a qué hora cierran|qué horario tienen|cuál es el horario|están abiertos|' +
      'abren hoy|abren el sábado|abren los sábados|cuál es el teléfono|número de teléfono|su teléfono|página web|' +
      'sitio web|cómo llego|cómo llegar|su correo|información del despacho|datos del despacho|horario de atención',
    rules: [
      'qué cuál cuáles + hora horas horario horarios + abren abre cierran cierra atienden atiende',
      'abren abre abierto abiertos cierran atienden trabajan + hoy mañana sábado sábados domingo festivo lunes viernes horario hora fines',
      'dónde + están quedan queda ubicados encuentran oficina despacho',
      'cuál + dirección teléfono correo web número contacto',
      'dirección teléfono ubicación horario',
    ],
  },
  'menu.person': {
    phrases:
      'persona|una persona|hablar con una persona|hablar con alguien|humano|agente|operador|asesor|abogado|abogada|' +
      'hablar con un abogado|hablar con el abogado|atención personal|recepción|secretaria|llámenme|que me llamen|' +
      'quiero hablar con alguien|quiero hablar con una persona|hablar con un humano|persona real|una persona real|' +
      'alguien de verdad|ser humano|atención humana|hay alguien ahí|alguien ahí|páseme con alguien|llámeme|llámame|' +
      'me pueden llamar|me puede llamar|pueden llamarme|me llaman|quiero hablar con el abogado|hablar con el licenciado|' +
      'necesito hablar con alguien|hablar con ustedes|licenciado|licenciada|personal|no con un robot|no con una máquina|' +
      'que alguien me atienda|alguien que me atienda',
    rules: [
      'hablar hablo habla conversar comunicar comunicarme comuníqueme contactar contacto pasar pase páseme pasarme transferir transfiera ponga póngame ponerme atienda + persona humano humana alguien agente operador asesor asesora abogado abogada licenciado licenciada secretaria recepción personal representante equipo',
      'hablar conversar + ustedes',
      'llamar llamen llame llama llamarme llámeme llámame telefonear + me',
      'persona atención abogado abogada + real humana humano verdad',
    ],
    weak: 'alguien',
  },
  language: {
    phrases:
      'idioma|lengua|lenguaje|cambiar idioma|cambiar de idioma|otro idioma|inglés|en inglés|español|en español|' +
      'castellano|portugués|en portugués|habla inglés|hablan inglés|habla español|puede hablar en español|' +
      'prefiero español|en español por favor|en inglés por favor',
    rules: [
      'hablar habla hablan hablo escribir escriba escriban responder responda contestar cambiar cambia + inglés español castellano portugués idioma lengua',
    ],
  },
};

export const LEXICONS: Record<BuiltInLanguage, Lexicon> = { en, 'pt-BR': ptBR, es };

/**
 * Words that turn what follows (or, for yes-words, anything in the clause)
 * into its opposite. Consent is never given in a message that holds one.
 */
export const NEGATIONS: Record<BuiltInLanguage, string> = {
  en: 'no not dont doesnt didnt isnt arent wasnt werent cant cannot couldnt wont wouldnt shouldnt hasnt havent aint never nope nah nobody noone nothing none neither nor',
  'pt-BR': 'nao n nunca nem jamais ninguem nada nenhum nenhuma nops',
  es: 'no nunca jamas ni nadie nada ninguno ninguna ningun tampoco',
};

/** "but", "only if": a yes followed by one of these is not a clear yes. */
export const CONTRAST = 'but however although though except unless mas porem contudo entretanto pero aunque sino salvo excepto';

/** Lines of the intake summary, by number, and what clients call them. */
export const LINE_FIELDS: Record<number, string> = {
  1: 'name|full name|surname|last name|first name|nome|nome completo|sobrenome|nombre|nombre completo|apellido|apellidos',
  2: 'area|practice area|type of case|category|área|tipo de caso|tipo de processo|categoria|área jurídica|materia|tipo de asunto|categoría',
  3: 'description|what happened|details|the story|summary|my story|text|descrição|o que aconteceu|relato|história|detalhes|resumo|texto|descripción|lo que pasó|detalles|resumen',
  4: 'other party|opposing party|opposing|defendant|respondent|counterparty|the company|other side|other sides name|other party name|' +
    'other partys name|name of the other party|parte contrária|outra parte|contraparte|réu|a empresa|nome da outra parte|' +
    'nome da parte contrária|otra parte|demandado|la empresa|nombre de la otra parte|nombre de la parte contraria',
  5: 'deadline|date|hearing|hearing date|court date|prazo|data|audiência|data da audiência|fecha|plazo|fecha de la audiencia|vencimento',
};

/** Words asking to change something ("correct" alone is a yes: it only counts before a line). */
export const CORRECTION =
  'change fix edit update amend modify alter replace wrong mistake typo incorrect error ' +
  'corrigir corrige corrija corrigi correção mudar muda mude alterar altera altere alteração trocar troca troque editar edita edite errado errada erro errei incorreto incorreta consertar arrumar arruma ' +
  'corregir corrija corrección cambiar cambia cambie modificar modifica modifique mal equivocado equivocada incorrecto incorrecta arreglar arregla';

/** Words that name a line or option before its number ("line 2", "opção 3"). */
export const LINE_NOUNS = 'line lines item number option field point row linha item número opção campo ponto línea número opción punto';

/** Numbers written as words; those marked * count only after a line noun ("opção um"), being articles too. */
export const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5,
  'um*': 1, 'uma*': 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5,
  cero: 0, uno: 1, 'una*': 1, dos: 2, cuatro: 4,
};

/** Names of the built-in languages in the three languages, and the short codes clients type alone. */
export const LANGUAGE_NAMES: Record<BuiltInLanguage, { names: string; codes: string }> = {
  en: { names: 'english|ingles|inglesa|in english|em ingles|en ingles', codes: 'en|eng' },
  'pt-BR': { names: 'portuguese|portugues|portuguesa|brasileiro|em portugues|en portugues|in portuguese', codes: 'pt|ptbr|pt br|br|por' },
  es: { names: 'spanish|espanol|espanhol|castellano|castelhano|castilian|en espanol|em espanhol|in spanish', codes: 'es|esp|spa' },
};

/**
 * Everyday words near the lexicon's (a typed "casa" is not a typo of "case",
 * nor "cause" of "case"): a word listed here is only ever itself.
 */
export const COMMON_WORDS: Record<BuiltInLanguage, string> = {
  en: 'case cases cause came come home hope same time line made make take week work year years days money house car paid pay ' +
    'said told tell went were with also been call called calls came fire file files fine find first last late long look ' +
    'lost love mail mine more most move much name near next note once only open over part past plan play pull read real ' +
    'rest road room safe save seen sell send sent show side sign some soon sort stay step such sure talk than that them ' +
    'then they this told took town tree true turn type used very wait walk wall want ways week went what when will wish ' +
    'word wore year your today tomorrow yesterday month children husband wife mother father brother sister friend ' +
    'company money letter email court judge',
  'pt-BR': 'casa casas caso cara nome mesmo mas mais meu bem sem tem sou foi ser ter aqui hoje ontem amanha dia ano mes ' +
    'filho filha filhos mae pai carro dinheiro conta contas pagar pagou paga pago fazer feito quer falou disse deu vez ' +
    'coisa agora antes depois sempre tudo todo toda outro outra tempo semana valor lugar porta rua cidade estado pais ' +
    'vida morte saude marido esposa mulher homem irmao irma amigo amiga empresa carta juiz forum casal parte partes ' +
    'meses anos dias vezes nada nunca ainda onde sabe saber sei vai vou estava estou tava para pare pode posso podia estando ' +
    'mora morar moro mandou manda mande sair saiu sai aconteceu falta faltou',
  es: 'casa casas caso cosa nombre mismo pero mas bien sin tiene soy fue ser hoy ayer manana dia ano mes hijo hija hijos ' +
    'madre padre coche dinero cuenta pagar pago pagó hacer dijo vez ahora antes siempre todo nada otro otra tiempo semana ' +
    'valor lugar calle ciudad estado pais vida muerte salud marido esposa mujer hombre hermano hermana amigo amiga empresa ' +
    'carta juez meses anos dias veces nunca todavia donde sabe saber vive vivo mando paso estando estaba estuve estamos ' +
    'tambien tanto todos todas llamo llamaba llamó',
};

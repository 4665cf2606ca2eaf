/**
 * The bot's texts in Brazilian Portuguese. Same keys, order and `{placeholders}`
 * as en.ts; see the note there. Keys ending in `.words` list, separated by `|`,
 * what a client may type (compared without case, accents or punctuation).
 */
import type { TextKey } from './en.js';

export const ptBR = {
  'language.name': 'Português (Brasil)',
  'language.code': 'PT',
  'language.offer': 'Para português, responda PT.',
  'language.ask': 'Em qual idioma você prefere conversar? Responda com o código:\n{languages}',
  'language.changed': 'Certo, vamos continuar em português.',
  'language.not_offered': 'Desculpe, só podemos atender nestes idiomas:\n{languages}',

  // greeting, menu and help
  'greeting': 'Olá{clientName}! Aqui é o assistente virtual de {office} no WhatsApp.',
  'greeting.back': 'Olá novamente{clientName}!',
  'menu': 'Como podemos ajudar? Responda com um número:\n1. Novo caso\n2. Andamento do meu caso\n3. Falar com uma pessoa\n4. Informações do escritório',
  'menu.hint': 'Envie MENU a qualquer momento para ver as opções novamente.',
  'help.unrecognised': 'Desculpe, não entendi.',
  'help.which': 'Só para ter certeza: você quis dizer {first} ou {second}?',
  'intent.menu.new': 'um novo caso (responda 1)',
  'intent.menu.status': 'o andamento do seu caso (responda 2)',
  'intent.menu.person': 'falar com uma pessoa (responda 3)',
  'intent.menu.info': 'as informações do escritório (responda 4)',
  'intent.menu': 'o menu (responda MENU)',
  'intent.stop': 'não receber mais mensagens (responda PARAR)',
  'intent.erase': 'apagar seus dados (responda APAGAR MEUS DADOS)',
  'footer': '_Assistente automático de {office}. Este atendimento não constitui assessoria jurídica._',
  'out_of_hours': 'No momento, nosso escritório está fechado. Horário de atendimento: {hours}. Mesmo assim, posso anotar seus dados, e alguém da nossa equipe responderá assim que abrirmos.',

  // office information
  'info': '*{office}*\nEndereço: {address}\nTelefone: {phone}\nE-mail: {email}\nHorário de atendimento: {hours}',
  'hours.closed_all_week': 'somente com agendamento',
  'hours.today': 'hoje às {time}',
  'hours.tomorrow': 'amanhã às {time}',
  'hours.on_day': '{day} às {time}',

  // consent
  'consent.ask': '{notice}\n\n(Aviso de privacidade, versão {version}.) Você concorda? Responda SIM ou NÃO.',
  'privacy.notice':
    'Antes de pedirmos seus dados: {office} usa o que você envia aqui (seu nome, seu número e o que você nos conta sobre o seu caso) somente para avaliar e conduzir o seu caso e para verificar conflitos de interesse. Essas informações ficam nos registros do próprio escritório e não são compartilhadas com mais ninguém. A qualquer momento, você pode pedir para consultá-las ou apagá-las (responda APAGAR MEUS DADOS).',
  'consent.recorded': 'Obrigado! Seu consentimento foi registrado.',
  'consent.declined': 'Entendido. Não guardaremos seus dados: esta conversa é apagada em até {hours} horas e nada do que você escreveu fica armazenado. Se mudar de ideia, envie MENU. Você também pode nos ligar no {phone}.',
  'consent.unclear': 'Por favor, responda SIM se você concorda ou NÃO se não concorda.',

  // intake
  'intake.ask_name': 'Qual é o seu nome completo?',
  'intake.ask_area': 'Qual é a área do seu caso? Responda com um número:\n{areas}',
  'intake.area_unclear': 'Por favor, escolha uma das áreas pelo número.',
  'intake.confirm_area': 'Pelo que entendi, seu caso é da área de *{area}*. Está correto? Responda SIM ou escolha outra área pelo número:\n{areas}',
  'intake.ask_description': 'Em poucas palavras, conte o que aconteceu e do que você precisa.',
  'intake.ask_opposing': 'Quem é a parte contrária (uma pessoa ou uma empresa)? Se não houver, responda NENHUM.',
  'intake.ask_deadline': 'Há algum prazo ou audiência marcada? Responda com a data ou NENHUM.',
  'intake.deadline_impossible': 'A data {date} não existe. Qual dia você quis dizer?',
  'intake.deadline_past': 'Essa data ({date}) já passou. Por favor, envie a data do próximo prazo ou audiência, ou NENHUM.',
  'intake.deadline_unclear': 'Não consegui entender a data. Por favor, escreva no formato {example} ou responda NENHUM.',
  'intake.deadline_shown': '{date} ({typed})',
  'intake.too_long': 'O texto ficou um pouco longo. Por favor, use no máximo {max} caracteres; depois você poderá enviar documentos para alguém da nossa equipe.',
  'intake.too_short': 'Por favor, escreva um pouco mais.',
  'intake.summary':
    'Por favor, confira seus dados:\n1. Nome: {name}\n2. Área: {area}\n3. Descrição: {description}\n4. Parte contrária: {opposing}\n5. Prazo ou audiência: {deadline}\n\nResponda SIM para confirmar ou o número de uma linha para corrigi-la.',
  'intake.confirm_unclear': 'Responda SIM para confirmar ou um número de 1 a 5 para corrigir uma linha.',
  'intake.none': 'não há',
  'intake.confirmed':
    'Obrigado! Seu caso foi registrado com a referência *{reference}*. Um advogado vai analisá-lo e entrará em contato com você. Estamos enviando um resumo em PDF.',
  'intake.pdf_caption': 'Resumo do atendimento {reference}',
  'intake.continue': 'Estávamos no meio do seu cadastro. Vamos continuar.',

  // status
  'status.none': 'Não encontramos nenhum caso registrado para este número. Responda 1 para abrir um novo caso ou 3 para falar com uma pessoa.',
  'status.header': 'Seus casos:',
  'status.item': '*{reference}* ({area}): {status}.\nPróximo passo: {nextStep}',
  'status.no_next_step': 'entraremos em contato com você',
  'status.intake': 'recebido, aguardando análise de um advogado',
  'status.review': 'em análise por um advogado',
  'status.active': 'em andamento',
  'status.waiting_client': 'aguardando informações suas',
  'status.closed': 'encerrado',
  'status.declined': 'não aceito pelo escritório',
  'status.declined_item': 'Seu caso *{reference}* ({area}) foi encerrado sem ser assumido pelo escritório.',
  'status.changed': 'Atualização do seu caso *{reference}* ({area}): {status}.\nPróximo passo: {nextStep}',

  // hand-off
  'handoff.open': 'Uma pessoa da nossa equipe vai responder por aqui em instantes.',
  'handoff.closed': 'Uma pessoa da nossa equipe vai responder assim que o escritório abrir ({nextOpen}).',
  'handoff.misunderstood': 'Estou com dificuldade para entender, então vou transferir você para uma pessoa da nossa equipe.',
  'handback': 'Você está falando novamente com o assistente automático.',

  // requests about personal data
  'data_request.stop': 'Registramos seu pedido para não receber mais mensagens. Alguém da nossa equipe vai confirmá-lo.',
  'data_request.erase': 'Registramos seu pedido de exclusão dos seus dados. Alguém da nossa equipe vai cuidar disso e confirmar com você.',

  // media
  'media.received': 'Obrigado, recebemos seu arquivo "{fileName}". Alguém da nossa equipe vai analisá-lo.',
  'media.unnamed': 'arquivo',
  'media.failed': 'Desculpe, seu arquivo "{fileName}" não chegou até nós. Por favor, envie-o novamente.',

  // staff replies
  'staff.signature': '— {staffName}, {office}',

  // intake PDF
  'pdf.title': 'Resumo do atendimento',
  'pdf.reference': 'Referência',
  'pdf.date': 'Data',
  'pdf.client': 'Cliente',
  'pdf.name': 'Nome',
  'pdf.whatsapp': 'WhatsApp',
  'pdf.matter': 'Caso',
  'pdf.area': 'Área de atuação',
  'pdf.description': 'Descrição',
  'pdf.opposing': 'Parte contrária',
  'pdf.deadline': 'Prazo ou audiência',
  'pdf.consent': 'Consentimento',
  'pdf.consent_text': 'Aviso de privacidade, versão {version}, aceito pelo WhatsApp em {at}.',
  'pdf.consent_missing': 'Nenhum registro de consentimento.',
  'pdf.next_steps': 'Próximos passos',
  'pdf.next_steps_text':
    'Um advogado de {office} vai analisar seu caso e entrará em contato com você pelo WhatsApp ou por telefone. Informe a referência {reference} sempre que falar conosco. Este resumo não constitui assessoria jurídica.',
  'pdf.page': 'Página {page} de {pages}',
  'copy.title': "Cópia dos seus dados",
  'copy.intro': "Os dados pessoais que {office} mantém sobre você, em {date}. O arquivo ZIP que acompanha este resumo traz os mesmos dados em arquivos JSON e todos os documentos que você enviou ou recebeu.",
  'copy.profile': "Seus dados",
  'copy.language': "Idioma",
  'copy.since': "Cliente desde",
  'copy.consents': "Consentimentos",
  'copy.consent_line': "Aviso de privacidade versão {version}, aceito em {at}",
  'copy.matters': "Seus casos",
  'copy.status': "Situação",
  'copy.opened': "Aberto em",
  'copy.updated': "Última alteração",
  'copy.next_step': "Próximo passo",
  'copy.messages': "Mensagens",
  'copy.you': "Você",
  'copy.office': "Escritório",
  'copy.documents': "Documentos",
  'copy.none': "Nenhum.",
  'copy.caption': "Uma cópia dos dados pessoais que {office} mantém sobre você.",

  // what clients may type (see the note at the top of en.ts)
  'menu.new.words':
    '1|novo|novo caso|caso novo|nova causa|novo processo|novo assunto|abrir caso|abrir um caso|abrir processo|quero abrir um caso|tenho um caso novo|cadastro|cadastrar|fazer cadastro|iniciar atendimento|preciso de um advogado|preciso de advogado|marcar consulta|agendar consulta',
  'menu.status.words':
    '2|status|situação|andamento|meu caso|meu processo|andamento do caso|andamento do meu caso|andamento do processo|situação do meu caso|situação do processo|status do caso|status do processo|como está meu caso|como está meu processo|como está o meu processo|consultar processo|acompanhar processo|atualização|novidades|tem novidade',
  'menu.person.words':
    '3|pessoa|uma pessoa|falar com uma pessoa|falar com alguém|quero falar com alguém|humano|atendente|falar com atendente|atendimento humano|advogado|advogada|falar com advogado|falar com um advogado|falar com a advogada|secretária|recepção|equipe|me liga|me ligue|ligar',
  'menu.info.words':
    '4|info|informação|informações|informações do escritório|dados do escritório|horário|horários|horário de atendimento|horário de funcionamento|endereço|localização|onde fica|onde vocês ficam|telefone|contato|contatos|e-mail|email',
  'menu.words':
    'menu|menu principal|menu inicial|ver menu|mostrar menu|voltar ao menu|início|inicio|começar|começar de novo|recomeçar|reiniciar|opções|ver opções|0|voltar|voltar ao início',
  'yes.words':
    'sim|s|claro|com certeza|pode ser|concordo|sim concordo|aceito|sim aceito|ok|certo|isso|isso mesmo|positivo|beleza|blz|tá bom|ta bom|pode|uhum|confirmo|correto|está correto|tudo certo|yes',
  'no.words':
    'não|nao|n|no|não concordo|nao concordo|discordo|não aceito|recuso|negativo|de jeito nenhum|nem pensar|nunca|não quero|agora não|não obrigado|prefiro não|claro que não|não autorizo|nops',
  'none.words':
    'nenhum|nenhuma|não|nao|nada|ninguém|não há|não tem|não existe|não se aplica|n/a|-|nda|não tenho|sem prazo|sem audiência|nenhum prazo|não há prazo|sem parte contrária|não há parte contrária',
  'stop.words':
    'parar|pare|stop|sair|sair da lista|remover da lista|descadastrar|cancelar inscrição|parar mensagens|parar de receber mensagens|não quero mais mensagens|não quero receber mensagens|pare de enviar mensagens|não me envie mais mensagens|não me contate|não entre em contato|não quero ser contatado',
  'erase.words':
    'apagar meus dados|apague meus dados|apagar os meus dados|excluir meus dados|exclua meus dados|excluir os meus dados|deletar meus dados|delete meus dados|remover meus dados|remova meus dados|eliminar meus dados|esqueça meus dados|me esqueça|quero apagar meus dados|quero excluir meus dados|apagar meu cadastro|excluir meu cadastro|apagar minhas informações|excluir minhas informações',
} as const satisfies Record<TextKey, string>;

/**
 * The bot's texts in Spanish (neutral, formal "usted"). Same keys, order and
 * `{placeholders}` as en.ts; see the note there. Keys ending in `.words` list,
 * separated by `|`, what a client may type (compared without case, accents or
 * punctuation).
 */
import type { TextKey } from './en.js';

export const es = {
  'language.name': 'Español',
  'language.code': 'ES',
  'language.offer': 'Para español, responda ES.',
  'language.ask': '¿En qué idioma prefiere que le atendamos? Responda con el código:\n{languages}',
  'language.changed': 'De acuerdo, continuamos en español.',
  'language.not_offered': 'Lo sentimos, solo podemos atenderle en estos idiomas:\n{languages}',

  // greeting, menu and help
  'greeting': '¡Hola{clientName}! Le atiende el asistente de WhatsApp de {office}.',
  'greeting.back': '¡Hola de nuevo{clientName}!',
  'menu': '¿En qué podemos ayudarle? Responda con un número:\n1. Nuevo caso\n2. Estado de mi caso\n3. Hablar con una persona\n4. Información del despacho',
  'menu.hint': 'Escriba MENÚ en cualquier momento para volver a ver las opciones.',
  'help.unrecognised': 'Disculpe, no he podido entender su mensaje.',
  'help.which': 'Para asegurarme: ¿se refiere a {first} o a {second}?',
  'intent.menu.new': 'un caso nuevo (responda 1)',
  'intent.menu.status': 'el estado de su caso (responda 2)',
  'intent.menu.person': 'hablar con una persona (responda 3)',
  'intent.menu.info': 'la información del despacho (responda 4)',
  'intent.menu': 'el menú (responda MENÚ)',
  'intent.stop': 'no recibir más mensajes (responda BAJA)',
  'intent.erase': 'borrar sus datos (responda BORRAR MIS DATOS)',
  'footer': '_Asistente automático de {office}. Este mensaje no constituye asesoramiento jurídico._',
  'out_of_hours': 'En este momento nuestro despacho está cerrado. Horario de atención: {hours}. Aun así, puedo tomar sus datos y una persona de nuestro equipo le responderá cuando abramos.',

  // office information
  'info': '*{office}*\nDirección: {address}\nTeléfono: {phone}\nCorreo electrónico: {email}\nHorario de atención: {hours}',
  'hours.closed_all_week': 'con cita previa',
  'hours.today': 'hoy a las {time}',
  'hours.tomorrow': 'mañana a las {time}',
  'hours.on_day': 'el {day} a las {time}',

  // consent
  'consent.ask': '{notice}\n\n(Política de privacidad, versión {version}.) ¿Está de acuerdo? Responda SÍ o NO.',
  'privacy.notice':
    'Antes de pedirle sus datos: {office} utiliza lo que nos envía por aquí (su nombre, su número y lo que nos cuente sobre su caso) únicamente para estudiar y llevar su caso y para comprobar posibles conflictos de intereses. Esta información se conserva en los registros del propio despacho y no se comparte con nadie más. Puede pedirnos en cualquier momento consultarla o eliminarla (responda BORRAR MIS DATOS).',
  'consent.recorded': 'Gracias, hemos registrado su consentimiento.',
  'consent.declined': 'Entendido. No guardaremos sus datos: esta conversación se borra en un plazo de {hours} horas y no se almacena nada de lo que escribió. Si cambia de opinión, escriba MENÚ. También puede llamarnos al {phone}.',
  'consent.unclear': 'Por favor, responda SÍ si está de acuerdo o NO si no lo está.',

  // intake
  'intake.ask_name': '¿Cuál es su nombre completo?',
  'intake.ask_area': '¿Con qué área está relacionado su caso? Responda con un número:\n{areas}',
  'intake.area_unclear': 'Por favor, elija una de las áreas indicando su número.',
  'intake.confirm_area': 'Entiendo que su caso es del área de *{area}*. ¿Es correcto? Responda SÍ o elija otra área por su número:\n{areas}',
  'intake.ask_description': 'Cuéntenos brevemente qué ha ocurrido y qué necesita.',
  'intake.ask_opposing': '¿Quién es la parte contraria (una persona o una empresa)? Si no la hay, responda NINGUNO.',
  'intake.ask_deadline': '¿Hay algún plazo o fecha de audiencia? Responda con la fecha o NINGUNO.',
  'intake.deadline_impossible': 'La fecha {date} no existe. ¿Qué día quería decir?',
  'intake.deadline_past': 'Esa fecha ({date}) ya ha pasado. Por favor, envíe la fecha del próximo plazo o audiencia, o NINGUNO.',
  'intake.deadline_unclear': 'No he podido entender la fecha. Por favor, escríbala con el formato {example} o responda NINGUNO.',
  'intake.deadline_shown': '{date} ({typed})',
  'intake.too_long': 'El texto es un poco largo. Por favor, no supere los {max} caracteres; más adelante podrá enviar documentos a una persona de nuestro equipo.',
  'intake.too_short': 'Por favor, escriba un poco más.',
  'intake.summary':
    'Por favor, revise sus datos:\n1. Nombre: {name}\n2. Área: {area}\n3. Descripción: {description}\n4. Parte contraria: {opposing}\n5. Plazo o audiencia: {deadline}\n\nResponda SÍ para confirmar, o el número de una línea para corregirla.',
  'intake.confirm_unclear': 'Responda SÍ para confirmar o un número del 1 al 5 para corregir una línea.',
  'intake.none': 'no hay',
  'intake.confirmed':
    'Gracias. Su caso ha quedado registrado con la referencia *{reference}*. Un abogado lo revisará y se pondrá en contacto con usted. Le enviamos un resumen en PDF.',
  'intake.pdf_caption': 'Resumen de la consulta {reference}',
  'intake.continue': 'Nos habíamos quedado a mitad de sus datos. Continuemos.',

  // status
  'status.none': 'No tenemos ningún caso registrado con este número. Responda 1 para abrir un caso nuevo o 3 para hablar con una persona.',
  'status.header': 'Sus casos:',
  'status.item': '*{reference}* ({area}): {status}.\nSiguiente paso: {nextStep}',
  'status.no_next_step': 'nos pondremos en contacto con usted',
  'status.intake': 'recibido, pendiente de revisión por un abogado',
  'status.review': 'en revisión por un abogado',
  'status.active': 'en curso',
  'status.waiting_client': 'pendiente de información por su parte',
  'status.closed': 'cerrado',
  'status.declined': 'no aceptado por el despacho',
  'status.declined_item': 'Su caso *{reference}* ({area}) se cerró sin que el despacho lo asumiera.',
  'status.changed': 'Novedades de su caso *{reference}* ({area}): {status}.\nSiguiente paso: {nextStep}',

  // hand-off
  'handoff.open': 'Una persona de nuestro equipo le responderá por aquí en breve.',
  'handoff.closed': 'Una persona de nuestro equipo le responderá cuando abra el despacho ({nextOpen}).',
  'handoff.misunderstood': 'Tengo dificultades para entenderle, así que le pongo en contacto con una persona de nuestro equipo.',
  'handback': 'Vuelve a estar hablando con el asistente automático.',

  // requests about personal data
  'data_request.stop': 'Hemos registrado su solicitud de no recibir más mensajes. Una persona de nuestro equipo se la confirmará.',
  'data_request.erase': 'Hemos registrado su solicitud de eliminación de sus datos. Una persona de nuestro equipo la tramitará y se la confirmará.',

  // media
  'media.received': 'Gracias, hemos recibido su archivo "{fileName}". Una persona de nuestro equipo lo revisará.',
  'media.unnamed': 'archivo',
  'media.failed': 'Lo sentimos, su archivo "{fileName}" no nos llegó. Por favor, envíelo de nuevo.',

  // staff replies
  'staff.signature': '— {staffName}, {office}',

  // intake PDF
  'pdf.title': 'Resumen de la consulta',
  'pdf.reference': 'Referencia',
  'pdf.date': 'Fecha',
  'pdf.client': 'Cliente',
  'pdf.name': 'Nombre',
  'pdf.whatsapp': 'WhatsApp',
  'pdf.matter': 'Caso',
  'pdf.area': 'Área jurídica',
  'pdf.description': 'Descripción',
  'pdf.opposing': 'Parte contraria',
  'pdf.deadline': 'Plazo o audiencia',
  'pdf.consent': 'Consentimiento',
  'pdf.consent_text': 'Política de privacidad, versión {version}, aceptada por WhatsApp el {at}.',
  'pdf.consent_missing': 'No consta registro de consentimiento.',
  'pdf.next_steps': 'Próximos pasos',
  'pdf.next_steps_text':
    'Un abogado de {office} revisará su caso y se pondrá en contacto con usted por WhatsApp o por teléfono. Indique la referencia {reference} cuando se comunique con nosotros. Este resumen no constituye asesoramiento jurídico.',
  'pdf.page': 'Página {page} de {pages}',
  'copy.title': "Copia de sus datos",
  'copy.intro': "Los datos personales que {office} conserva sobre usted, a fecha de {date}. El archivo ZIP que acompaña este resumen contiene los mismos datos en archivos JSON y todos los documentos que usted envió o recibió.",
  'copy.profile': "Sus datos",
  'copy.language': "Idioma",
  'copy.since': "Cliente desde",
  'copy.consents': "Consentimientos",
  'copy.consent_line': "Aviso de privacidad versión {version}, aceptado el {at}",
  'copy.matters': "Sus asuntos",
  'copy.status': "Estado",
  'copy.opened': "Abierto el",
  'copy.updated': "Último cambio",
  'copy.next_step': "Próximo paso",
  'copy.messages': "Mensajes",
  'copy.you': "Usted",
  'copy.office': "Despacho",
  'copy.documents': "Documentos",
  'copy.none': "Ninguno.",
  'copy.caption': "Una copia de los datos personales que {office} conserva sobre usted.",

  // what clients may type (see the note at the top of en.ts)
  'menu.new.words':
    '1|nuevo|nuevo caso|caso nuevo|nuevo asunto|nueva consulta|abrir caso|abrir un caso|abrir un asunto|quiero abrir un caso|tengo un caso nuevo|registrar un caso|necesito un abogado|necesito abogado|pedir cita|solicitar cita|quiero una consulta',
  'menu.status.words':
    '2|estado|estado de mi caso|estado del caso|estado de mi asunto|mi caso|mi asunto|mi expediente|situación|situación de mi caso|cómo va mi caso|cómo está mi caso|en qué estado está mi caso|seguimiento|consultar mi caso|novedades|hay novedades|actualización|status|estatus',
  'menu.person.words':
    '3|persona|una persona|hablar con una persona|hablar con alguien|humano|agente|operador|asesor|personal|abogado|abogada|hablar con un abogado|hablar con el abogado|atención personal|recepción|secretaria|llámenme|llamadme|que me llamen|llamar',
  'menu.info.words':
    '4|info|información|información del despacho|datos del despacho|horario|horarios|horario de atención|dirección|ubicación|dónde están|cómo llegar|teléfono|contacto|correo|correo electrónico|email|e-mail',
  'menu.words':
    'menú|menu|menú principal|menú inicial|ver menú|volver al menú|inicio|volver al inicio|empezar|comenzar|volver a empezar|reiniciar|opciones|ver opciones|0|volver|atrás|regresar',
  'yes.words':
    'sí|si|s|claro|claro que sí|sí claro|vale|de acuerdo|estoy de acuerdo|sí de acuerdo|acepto|sí acepto|ok|okey|correcto|afirmativo|por supuesto|está bien|dale|bueno|confirmo|exacto|perfecto|yes',
  'no.words':
    'no|n|no acepto|no estoy de acuerdo|en desacuerdo|rechazo|negativo|para nada|de ninguna manera|nunca|jamás|no gracias|no quiero|prefiero que no|claro que no|ahora no|no autorizo|nop',
  'none.words':
    'ninguno|ninguna|ningún|no|nada|nadie|no hay|no tengo|no existe|no aplica|no procede|n/a|-|sin plazo|sin audiencia|sin fecha|ningún plazo|no hay plazo|sin parte contraria|no hay parte contraria',
  'stop.words':
    'stop|parar|pare|baja|dar de baja|darme de baja|detener mensajes|dejar de recibir mensajes|no quiero recibir mensajes|no quiero más mensajes|no me envíen más mensajes|dejen de escribirme|no me contacten|no contactar|cancelar suscripción',
  'erase.words':
    'borrar mis datos|borren mis datos|eliminar mis datos|eliminen mis datos|suprimir mis datos|supriman mis datos|quiero borrar mis datos|quiero eliminar mis datos|borrar mis datos personales|eliminar mis datos personales|borrar mi información|eliminar mi información|derecho de supresión|derecho al olvido|olvídenme|cancelar mis datos|cancelación de mis datos',
} as const satisfies Record<TextKey, string>;

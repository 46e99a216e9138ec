package legal

import "html/template"

// The pages share the voucher page's look (shared/voucher): the same colours, card and
// type, phone first. Each section is an <h2> with an id, so a page can be linked to one
// section (…/privacidade#direitos).
var pages = template.Must(template.New("layout").Parse(`{{define "head"}}<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – {{.Operator}}</title>
<style>
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6efe9; color: #2b2118; line-height: 1.55; }
  main { max-width: 760px; margin: 0 auto; padding: 24px 16px 40px; }
  .card { background: #fff; border-radius: 18px; box-shadow: 0 6px 24px rgba(60,30,10,.12); overflow: hidden; }
  .head { background: #8a4b2f; color: #fff; padding: 20px; }
  .head h1 { margin: 0; font-size: 1.4rem; }
  .head p { margin: 6px 0 0; opacity: .9; }
  .body { padding: 4px 20px 24px; }
  h2 { font-size: 1.1rem; margin: 26px 0 6px; color: #8a4b2f; }
  ul { padding-left: 1.2em; }
  li { margin: 4px 0; }
  a { color: #8a4b2f; }
  footer { margin-top: 20px; text-align: center; font-size: .9rem; color: #8a7a6e; }
  footer a { margin: 0 6px; }
</style>
</head>
<body>
<main>
  <article class="card" aria-labelledby="title">
    <div class="head">
      <h1 id="title">{{.Title}}</h1>
      <p>{{.Operator}} · Última atualização: {{.Updated}}</p>
    </div>
    <div class="body">
{{end}}

{{define "foot"}}
    </div>
  </article>
  <footer>
    <a href="privacidade">Política de Privacidade</a> · <a href="termos">Termos de Uso</a> · <a href="mailto:{{.ContactEmail}}">{{.ContactEmail}}</a>
  </footer>
</main>
</body>
</html>
{{end}}

{{define "privacidade"}}{{template "head" .}}
<p>Esta política explica como o Lembra trata dados pessoais ao enviar, pelo WhatsApp, os avisos de agendamento, os lembretes e as respostas dos estúdios de beleza que usam o serviço, e como você exerce os seus direitos. Ela segue a Lei Geral de Proteção de Dados Pessoais (LGPD, <a href="https://www.planalto.gov.br/ccivil_03/_ato2015-2018/2018/lei/l13709.htm">Lei nº 13.709/2018</a>).</p>

<h2 id="quem-somos">Quem somos</h2>
<p>O Lembra é um serviço de automação de mensagens do WhatsApp para estúdios, salões e clínicas que trabalham com horário marcado. Ele é operado por <strong>{{.Operator}}</strong>, que atua perante a Meta como Provedor de Tecnologia (<em>Tech Provider</em>) da Plataforma WhatsApp Business: cada estúdio conecta o seu próprio número do WhatsApp Business, e as mensagens saem desse número, em nome do estúdio.</p>

<h2 id="controlador-e-operador">Controlador e operador</h2>
<ul>
  <li><strong>Dados dos clientes dos estúdios:</strong> cada estúdio é o <strong>controlador</strong> (art. 5º, VI, da LGPD) dos dados dos seus clientes: é ele quem decide agendar, avisar e lembrar. {{.Operator}} é o <strong>operador</strong> (art. 5º, VII): trata esses dados em nome do estúdio, somente para prestar o serviço e conforme as instruções dele.</li>
  <li><strong>Dados das contas do painel e registros de segurança:</strong> para os dados de quem acessa o painel do estúdio (dona ou dono e equipe) e para os registros técnicos do serviço, {{.Operator}} é o controlador.</li>
</ul>

<h2 id="dados">Dados que tratamos</h2>
<ul>
  <li><strong>Do cliente do estúdio:</strong> nome, número de telefone (WhatsApp), serviço, data, horário e local do atendimento, e a situação do agendamento (agendado, confirmado, cancelado, pedido de reagendamento ou de contato).</li>
  <li><strong>Mensagens do WhatsApp:</strong> o conteúdo dos avisos e lembretes enviados; a situação de cada mensagem informada pela Meta (enviada, entregue, lida, falhou), com o horário e o motivo de uma falha; as respostas e os toques nos botões (Confirmar, Reagendar, falar com o estúdio); as mensagens que o cliente envia ao número do estúdio e as que o estúdio envia pelo aplicativo WhatsApp Business no mesmo número (quando o número usa o aplicativo e a plataforma ao mesmo tempo), incluindo o histórico e os contatos sincronizados pela Meta na conexão do número; os identificadores técnicos das mensagens.</li>
  <li><strong>Da conta do painel:</strong> e-mail, senha (guardada apenas pelo serviço de autenticação do Google, nunca por nós), estúdio e função (responsável ou equipe), e o registro de quem fez cada alteração ou ação no painel.</li>
  <li><strong>Do estúdio:</strong> nome, endereço, fuso horário, configurações de envio, identificadores da conta do WhatsApp Business e o token de acesso da Meta (guardado no Secret Manager do Google, nunca no banco de dados nem em registros).</li>
  <li><strong>Registros técnicos:</strong> endereço IP, data e hora dos acessos e o resultado de cada operação; nos registros, o número de telefone aparece mascarado (por exemplo, +5511*******21).</li>
</ul>
<p>Não tratamos dados pessoais sensíveis de propósito, não vendemos dados, não os usamos para publicidade nem criamos perfis de consumo.</p>

<h2 id="finalidades">Para que usamos os dados</h2>
<ul>
  <li>Enviar ao cliente o aviso do agendamento feito com o estúdio e o lembrete 24 horas antes do horário, por modelos de mensagem aprovados pela Meta.</li>
  <li>Responder aos botões do aviso: confirmar o horário (com o link do voucher), informar como reagendar, avisar que o estúdio vai responder; e, quando o cliente escreveu nas últimas 24 horas, avisar de um cancelamento.</li>
  <li>Mostrar à equipe do estúdio o que aconteceu com cada mensagem, as respostas e a conversa com o cliente.</li>
  <li>Gerar o voucher do agendamento (primeiro nome, serviço, data, horário, local e situação), acessível apenas por um link único e difícil de adivinhar.</li>
  <li>Manter o serviço seguro e funcionando: autenticar quem acessa o painel, registrar operações, investigar falhas e prevenir abusos.</li>
  <li>Cumprir obrigações legais e atender a pedidos de titulares e de autoridades.</li>
</ul>

<h2 id="bases-legais">Bases legais</h2>
<ul>
  <li><strong>Execução de contrato e procedimentos preliminares</strong> (art. 7º, V): os avisos, lembretes e respostas sobre o atendimento que o cliente marcou com o estúdio, e as contas do painel de quem trabalha no estúdio.</li>
  <li><strong>Legítimo interesse</strong> (art. 7º, IX, e art. 10): o lembrete e a confirmação do horário, que o cliente pode esperar de quem marcou o atendimento, e os registros de segurança, sempre no mínimo necessário.</li>
  <li><strong>Cumprimento de obrigação legal ou regulatória</strong> (art. 7º, II) e <strong>exercício regular de direitos</strong> (art. 7º, VI): guarda de registros exigidos por lei e defesa em processos.</li>
  <li><strong>Consentimento</strong> (art. 7º, I), quando o estúdio o colher para enviar mensagens pelo WhatsApp; a política da Meta também exige que o cliente tenha aceitado receber mensagens do estúdio (<em>opt-in</em>).</li>
</ul>
<p>Como controlador, o estúdio define a base legal aplicável aos dados dos seus clientes.</p>

<h2 id="compartilhamento">Compartilhamento de dados</h2>
<ul>
  <li><strong>Meta (WhatsApp Cloud API):</strong> para entregar cada mensagem, a Meta recebe o número do cliente e o conteúdo do aviso (nome, serviço, data, horário e local), e nos devolve a situação da mensagem e as respostas do cliente. A Meta trata esses dados conforme os <a href="https://www.whatsapp.com/legal/business-terms">Termos do WhatsApp Business</a> e a <a href="https://www.facebook.com/privacy/policy">Política de Privacidade da Meta</a>.</li>
  <li><strong>Google Cloud:</strong> hospedagem do serviço (Cloud Functions, Firestore, Pub/Sub, Cloud Tasks, Secret Manager, Cloud Logging) em data centers da região de São Paulo (southamerica-east1), e autenticação do painel (Identity Platform / Firebase Authentication), conforme o <a href="https://cloud.google.com/terms/cloud-privacy-notice">Aviso de Privacidade do Google Cloud</a>.</li>
  <li><strong>O próprio estúdio</strong> vê os dados dos seus clientes no painel; um estúdio nunca vê os dados de outro.</li>
  <li><strong>Autoridades</strong>, quando a lei ou uma ordem judicial o exigir.</li>
</ul>

<h2 id="transferencia-internacional">Transferência internacional</h2>
<p>Os dados ficam hospedados no Brasil (região de São Paulo do Google Cloud). A Meta, para entregar as mensagens do WhatsApp, e o serviço de autenticação do Google podem tratar dados em outros países; essa transferência é necessária para prestar o serviço e se apoia nas garantias do art. 33 da LGPD oferecidas por esses fornecedores, como cláusulas contratuais.</p>

<h2 id="retencao">Por quanto tempo guardamos os dados</h2>
<ul>
  <li><strong>Agendamentos, mensagens, situações e conversas:</strong> enquanto o estúdio usar o Lembra. Não há exclusão automática por prazo: esses dados são excluídos ou anonimizados quando o estúdio pede, quando você pede (veja <a href="#como-exercer">como exercer os seus direitos</a>) ou quando a Meta nos envia o seu pedido de exclusão. Depois disso, restam apenas registros sem identificação (a situação de cada mensagem), usados em contagens como quantas mensagens foram entregues.</li>
  <li><strong>Link do voucher:</strong> deixa de funcionar {{.VoucherTTLDays}} dias depois do horário do atendimento; a página passa a dizer que o voucher expirou.</li>
  <li><strong>Cópias das notificações da Meta</strong> (situações e mensagens recebidas), na fila de processamento: no máximo 7 dias.</li>
  <li><strong>Registros técnicos</strong> (com o telefone mascarado): 30 dias.</li>
  <li><strong>Contas do painel:</strong> até serem removidas pelo estúdio ou até o fim do contrato.</li>
  <li>Ao fim do contrato com o estúdio, excluímos os dados dos seus clientes a pedido dele, guardando apenas o que a lei nos obrigar a manter (art. 16 da LGPD).</li>
</ul>

<h2 id="seguranca">Segurança</h2>
<p>Todo o tráfego usa HTTPS. Os tokens de acesso da Meta ficam no Secret Manager do Google; as chaves de API dos sistemas de agenda são guardadas apenas como resumo criptográfico (SHA-256); as notificações da Meta são aceitas somente com assinatura válida; cada estúdio acessa só os próprios dados, e algumas ações ficam restritas à pessoa responsável pelo estúdio; os registros não mostram números de telefone completos nem segredos.</p>

<h2 id="direitos">Seus direitos</h2>
<p>Pelo art. 18 da LGPD, você pode pedir: a confirmação de que tratamos dados seus e o acesso a eles; a correção de dados incompletos, inexatos ou desatualizados; a anonimização, o bloqueio ou a eliminação de dados desnecessários, excessivos ou tratados em desconformidade com a lei; a portabilidade; a eliminação dos dados tratados com o seu consentimento e a revogação desse consentimento; a informação sobre com quem compartilhamos os seus dados e sobre a possibilidade de não consentir; e pode se opor a um tratamento. O Lembra não toma decisões automatizadas que afetem os seus interesses (art. 20). Você também pode reclamar à Autoridade Nacional de Proteção de Dados (<a href="https://www.gov.br/anpd">ANPD</a>).</p>

<h2 id="como-exercer">Como exercer os seus direitos</h2>
<ul>
  <li><strong>Por e-mail:</strong> escreva para <a href="mailto:{{.ContactEmail}}">{{.ContactEmail}}</a> dizendo o seu nome, o número de WhatsApp e o estúdio. Se você é cliente de um estúdio, também pode falar direto com ele; como operador, encaminhamos o seu pedido ao estúdio e o cumprimos conforme as instruções dele. Respondemos em até 15 dias (art. 19, II, da LGPD).</li>
  <li><strong>Pelo estúdio:</strong> a pessoa responsável pelo estúdio pode pedir no painel a exclusão dos dados de um cliente.</li>
  <li><strong>Pela Meta:</strong> se você removeu o acesso do aplicativo nas configurações do Facebook, a Meta nos envia o seu pedido de exclusão de dados automaticamente. Excluímos ou anonimizamos os dados ligados a você em todos os estúdios e informamos um código de confirmação com um endereço onde você acompanha a situação do pedido.</li>
</ul>

<h2 id="cookies">Cookies e armazenamento local</h2>
<p>As páginas públicas (esta política, os termos e os vouchers) não usam cookies nem qualquer armazenamento no navegador. O painel do estúdio não usa cookies de publicidade nem de análise: o serviço de autenticação (Firebase Authentication) guarda no armazenamento local do navegador (IndexedDB) a sessão de quem entrou, para que a pessoa continue conectada. Ao tocar em <em>Sair</em>, a sessão é apagada desse navegador.</p>

<h2 id="encarregado">Encarregado pelo tratamento de dados</h2>
<p>O encarregado pelo tratamento de dados pessoais (art. 41 da LGPD) de {{.Operator}} é <strong>{{.DPO}}</strong>, no e-mail <a href="mailto:{{.ContactEmail}}">{{.ContactEmail}}</a>.</p>

<h2 id="alteracoes">Alterações desta política</h2>
<p>Podemos atualizar esta política quando o serviço ou a lei mudarem. A data da última atualização fica no topo da página; mudanças relevantes são comunicadas aos estúdios antes de valer.</p>

<h2 id="atualizacao">Última atualização</h2>
<p>Esta política foi atualizada em {{.Updated}}.</p>
{{template "foot" .}}{{end}}

{{define "termos"}}{{template "head" .}}
<p>Estes termos regem o uso do Lembra, serviço de automação de mensagens do WhatsApp operado por <strong>{{.Operator}}</strong>, pelos estúdios que o contratam e por quem acessa o painel em nome deles.</p>

<h2 id="aceitacao">Aceitação dos termos</h2>
<p>Ao conectar o número do WhatsApp Business do estúdio ao Lembra, ao integrar um sistema de agenda ou ao entrar no painel, o estúdio e a sua equipe aceitam estes termos e a <a href="privacidade">Política de Privacidade</a>. Quem aceita em nome do estúdio declara ter poderes para isso.</p>

<h2 id="servico">O serviço</h2>
<p>O Lembra envia, do número do próprio estúdio, o aviso de cada agendamento e o lembrete 24 horas antes do horário, por modelos de mensagem aprovados pela Meta; responde aos botões dessas mensagens; avisa de cancelamentos quando o WhatsApp permite; e mostra à equipe, no painel, o que aconteceu com cada mensagem. {{.Operator}} atua perante a Meta como Provedor de Tecnologia (<em>Tech Provider</em>) da Plataforma WhatsApp Business. O Lembra não é um sistema de agenda, não envia mensagens de marketing e não responde por conta própria a perguntas dos clientes.</p>

<h2 id="contas">Contas e acesso ao painel</h2>
<p>Cada pessoa entra no painel com o próprio e-mail e senha; a pessoa responsável pelo estúdio adiciona e remove a equipe e guarda as chaves de API do sistema de agenda. Senhas e chaves são pessoais e sigilosas: o estúdio responde pelo que for feito com elas e deve nos avisar em <a href="mailto:{{.ContactEmail}}">{{.ContactEmail}}</a> se suspeitar de uso indevido.</p>

<h2 id="responsabilidades-do-estudio">Responsabilidades do estúdio</h2>
<ul>
  <li>Como controlador dos dados dos seus clientes (LGPD, art. 5º, VI), ter base legal para tratá-los e informar os clientes sobre o envio das mensagens.</li>
  <li>Enviar mensagens apenas a clientes que aceitaram recebê-las pelo WhatsApp e respeitar quem pedir para não receber mais, conforme a <a href="https://business.whatsapp.com/policy">Política de Mensagens do WhatsApp Business</a>.</li>
  <li>Manter corretos os dados dos agendamentos (nome, telefone, serviço, horário e local).</li>
  <li>Cumprir os <a href="https://www.whatsapp.com/legal/business-terms">Termos do WhatsApp Business</a> e as políticas da Meta, e não usar o serviço para spam, conteúdo ilegal ou enganoso.</li>
  <li>Atender aos pedidos dos seus clientes sobre os dados deles, com a nossa ajuda como operador.</li>
</ul>

<h2 id="whatsapp-e-meta">WhatsApp e Meta</h2>
<p>O WhatsApp é um serviço da Meta. A aprovação dos modelos de mensagem, a qualidade e os limites do número, as restrições e os bloqueios de conta e os preços cobrados pela Meta por mensagem são decididos por ela. Quando a Meta recusa, pausa ou restringe algo, o Lembra não envia e mostra o motivo no painel. O estúdio pode desconectar o número do Lembra a qualquer momento pelo aplicativo WhatsApp Business, e parar todos os envios no painel (parada de emergência); os envios param, e o histórico fica guardado.</p>

<h2 id="protecao-de-dados">Proteção de dados</h2>
<p>{{.Operator}} trata os dados dos clientes do estúdio como operador (LGPD, art. 5º, VII e art. 39): somente para prestar o serviço, conforme as instruções do estúdio e a <a href="privacidade">Política de Privacidade</a>, com as medidas de segurança nela descritas. Avisamos o estúdio de qualquer incidente de segurança que possa afetar os dados dos seus clientes.</p>

<h2 id="disponibilidade">Disponibilidade e limitações</h2>
<p>Trabalhamos para manter o serviço no ar, mas ele depende da Meta, do Google Cloud e da internet. Uma mensagem pode atrasar ou não ser entregue (por exemplo, se o número do cliente não tem WhatsApp ou se a janela de 24 horas da conversa está fechada); quando isso acontece, o motivo aparece no painel. O Lembra não garante que o cliente leia a mensagem ou compareça ao atendimento.</p>

<h2 id="suspensao-e-encerramento">Suspensão e encerramento</h2>
<p>O estúdio pode parar todos os envios a qualquer momento no painel (parada de emergência) e encerrar o uso do serviço. Podemos suspender o envio de um estúdio que descumpra estes termos ou as políticas da Meta, ou quando a Meta o exigir, avisando o estúdio. No encerramento, os dados dos clientes do estúdio são excluídos a pedido dele, como descreve a Política de Privacidade.</p>

<h2 id="responsabilidade">Limitação de responsabilidade</h2>
<p>Na medida permitida pela lei, {{.Operator}} não responde por falhas ou decisões da Meta, por dados incorretos informados pelo estúdio, nem por mensagens enviadas pelo estúdio fora do Lembra. Nada nestes termos limita direitos que a lei garante e que não possam ser afastados por contrato.</p>

<h2 id="alteracoes">Alterações dos termos</h2>
<p>Podemos atualizar estes termos; a data da última atualização fica no topo da página, e mudanças relevantes são comunicadas aos estúdios antes de valer. Continuar usando o serviço depois disso significa aceitar a nova versão.</p>

<h2 id="lei-e-foro">Lei aplicável e foro</h2>
<p>Estes termos seguem as leis da República Federativa do Brasil, em especial a LGPD (<a href="https://www.planalto.gov.br/ccivil_03/_ato2015-2018/2018/lei/l13709.htm">Lei nº 13.709/2018</a>). Fica eleito o foro do domicílio do estúdio contratante, salvo disposição legal em contrário.</p>

<h2 id="contato">Contato</h2>
<p>Dúvidas, pedidos e avisos: <a href="mailto:{{.ContactEmail}}">{{.ContactEmail}}</a>. Encarregado pelo tratamento de dados: {{.DPO}}.</p>

<h2 id="atualizacao">Última atualização</h2>
<p>Estes termos foram atualizados em {{.Updated}}.</p>
{{template "foot" .}}{{end}}
`))

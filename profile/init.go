package profile

// Init returns a profile to start from, in YAML with a comment on every field: the reference assistant's
// values (Reference), for a vendor to replace with their own.
func Init() string { return initYAML }

const initYAML = `# parley assistant profile: what only you know about your assistant. parley reads everything else
# from the conversation. Check it with: parley certify --profile THIS_FILE
# Format: docs/profile.md; JSON Schema: docs/profile.schema.json. The values below are those of
# parley's reference assistant: replace them with your own.

# The profile format's version. Always "1".
version: "1"

# The business.
business:
  # The name customers know the business by. The opt-in question, offers and the privacy notice at
  # first contact must carry it (or the controller's name).
  name: Tienda Ejemplo
  # The data controller's legal name, as the privacy notice gives it.
  controller: Tienda Ejemplo S.L.

# The languages the assistant speaks, its default first: es, en.
languages:
  - es
  - en

# What the privacy notice declares.
privacy:
  # The https address of the full privacy notice; the notice at first contact must link to it.
  notice_url: https://tiendaejemplo.es/privacidad
  # The processors the notice declares (who reads the conversations for you).
  processors:
    - Meta
    - Google
  # Where personal data stay: EU (Dialogflow must run in a European location) or any.
  region: EU
  # How many days transcripts are kept (0 or absent: 90).
  retention_days: 90

# What the assistant does. A scenario that needs something declared false here is not played: the
# report shows it, and the rules only it would have exercised, as not applicable.
capabilities:
  # Offers on WhatsApp, with an opt-in asked in the chat.
  marketing: true
  # Answers a customer about their order.
  order_status: true
  # Passes the conversation to a person.
  handoff: true
  # Where data-protection requests (access, erasure, objection...) are handled: chat (in the
  # conversation), link (a web page the assistant points to) or none.
  data_requests: chat

# What the assistant's staging backend knows, for the scenarios to use.
test_data:
  # Orders, each with its code and the WhatsApp number of the customer it belongs to.
  orders:
    - code: TE-1001
      customer: "+34 600 000 001"

# The certification hooks the assistant implements (docs/bot-contract.md): consent, notify,
# campaign, handoff_release. A scenario that needs a hook not listed here is not played.
hooks:
  - consent
  - notify
  - campaign
  - handoff_release

# With --agent EXPORT, parley's Dialogflow serves the assistant's own agent export. Its webhook URLs
# (the production backend) are never called: name the fulfilment service to call instead here, or
# with --agent-webhook, which wins.
# agent:
#   webhook: http://127.0.0.1:8081/fulfilment
`

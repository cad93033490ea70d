// The Bot Framework SDK (JavaScript, botbuilder 4.23.3) peer of the message-turn benchmark: an anonymous echo bot on
// restify, as the SDK's samples build it. Message in, one reply to the activity's serviceUrl, 200 out.
const restify = require('restify');
const { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } = require('botbuilder');

// No app id: the SDK accepts activities without a token and replies without one (its anonymous mode).
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
    console.error(`turn error: ${error}`);
};

class EchoBot extends ActivityHandler {
    constructor() {
        super();
        this.onMessage(async (context, next) => {
            await context.sendActivity(`Echo: ${context.activity.text}`);
            await next();
        });
    }
}
const bot = new EchoBot();

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.get('/healthz', (req, res, next) => { res.send(200, 'ok'); return next(); });
server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(Number(process.env.PORT || 3982), '127.0.0.1', () => console.log(`botbuilder echo on ${server.url}`));

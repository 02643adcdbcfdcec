/**
 * The Slack app manifest an admin pastes into https://api.slack.com/apps ("From an app manifest"):
 * the bot can post (`chat:write`) and its buttons come back to this store's Request URL. Pure, so
 * docs/notifications.md shows exactly what the API returns.
 */
export function slackAppManifest(publicBaseUrl: string, storeId: string, channel: string) {
  const requestUrl = `${publicBaseUrl.replace(/\/+$/, "")}/slack/${encodeURIComponent(storeId)}/interactions`;
  return {
    channel,
    requestUrl,
    manifest: {
      display_information: { name: "Promptly", description: "SLA reminders your team can act on", background_color: "#1d4ed8" },
      features: { bot_user: { display_name: "Promptly", always_online: true } },
      oauth_config: { scopes: { bot: ["chat:write"] } },
      settings: { interactivity: { is_enabled: true, request_url: requestUrl }, org_deploy_enabled: false, socket_mode_enabled: false, token_rotation_enabled: false },
    },
    steps: [
      "Create the app from this manifest and install it to your workspace.",
      "Copy the Bot User OAuth Token (xoxb-…) into the channel's botToken, and Basic Information → Signing Secret into signingSecret.",
      "Invite the bot to the Slack channel (/invite @Promptly) and put that channel's id (C…) in the channel's channel field.",
      "Save the rules: the next reminder arrives with buttons.",
    ],
  };
}

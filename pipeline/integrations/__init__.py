"""The clients of the systems bcrm talks to: BigCommerce, Content Server, webhooks."""

"""kembar: a platform on which local governments run sister-city cooperation."""

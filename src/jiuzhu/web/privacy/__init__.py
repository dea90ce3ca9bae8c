"""Privacy: personal data masked in the admin site, retention per data class, and a resident's
request for their data (《中华人民共和国个人信息保护法》第四十五条)."""

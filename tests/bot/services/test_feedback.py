from bot.services.feedback import hash_user_id


def test_user_ids_are_pseudonymised_stably():
    assert hash_user_id(42) == hash_user_id(42)
    assert hash_user_id(42) != hash_user_id(43) and len(hash_user_id(42)) == 16

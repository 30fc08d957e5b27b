//! The emulated Gmail and Microsoft families: buying ids from an account's
//! balance, and the address variants `generate` makes of them.

use otpcatch_wire::Family;

use super::names::{dotted_id, random_local_part};
use super::{AccountId, Accounts};
use crate::store::Durable;

/// Why a purchase was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum PurchaseError {
    /// The balance does not cover it.
    InsufficientBalance { needed: f64, balance: f64 },
}

impl Accounts {
    /// Buys `number` ids of `family` for `account` from its balance: the
    /// ids, and the write that makes them survive a restart.
    pub(crate) fn purchase(
        &self,
        account: AccountId,
        family: Family,
        number: u32,
    ) -> Result<(Vec<String>, Durable), PurchaseError> {
        let needed = self.price * f64::from(number);
        {
            let mut state = self.lock();
            let balance = state.accounts[account].balance;
            if needed > balance + 1e-9 {
                return Err(PurchaseError::InsufficientBalance { needed, balance });
            }
            state.accounts[account].balance = balance - needed;
        }
        let microsoft_domain = Family::Microsoft.home_domain().unwrap_or("outlook.com");
        let gmail_domain = Family::Gmail.home_domain().unwrap_or("gmail.com");
        let bought: Vec<String> = (0..number)
            .map(|_| match family {
                Family::Gmail => dotted_id(),
                _ => format!("{}@{microsoft_domain}", random_local_part(12)),
            })
            .collect();
        let addresses = match family {
            Family::Gmail => bought.iter().map(|id| format!("{id}@{gmail_domain}")).collect(),
            _ => bought.clone(),
        };
        let durable = self.own(account, addresses);
        Ok((bought, durable))
    }

    /// The Gmail ids `account` bought, newest first.
    pub(crate) fn gmail_ids(&self, account: AccountId) -> Vec<String> {
        self.lock().accounts[account].gmail.clone()
    }

    /// The Microsoft accounts `account` bought, newest first.
    pub(crate) fn microsoft_accounts(&self, account: AccountId) -> Vec<String> {
        self.lock().accounts[account].microsoft.clone()
    }
}

/// Variants of a Gmail id: `+tag` ones, or the dots moved around.
pub(crate) fn gmail_variants(id: &str, number: u32, plus: bool) -> Vec<String> {
    let plain: String = id.chars().filter(|&c| c != '.').collect();
    (0..number)
        .map(|_| {
            if plus {
                format!("{id}+{}", random_local_part(rand::random_range(4..10)))
            } else {
                let mut dotted = String::new();
                for (i, c) in plain.chars().enumerate() {
                    if i > 0 && rand::random_bool(0.3) {
                        dotted.push('.');
                    }
                    dotted.push(c);
                }
                dotted
            }
        })
        .collect()
}

/// Variants of a Microsoft address: `+tag` ones, or the address itself.
pub(crate) fn microsoft_variants(address: &str, number: u32, plus: bool) -> Vec<String> {
    let home = Family::Microsoft.home_domain().unwrap_or("outlook.com");
    let (local, domain) = address.split_once('@').unwrap_or((address, home));
    (0..number)
        .map(|_| {
            if plus {
                format!("{local}+{}@{domain}", random_local_part(rand::random_range(4..10)))
            } else {
                address.to_owned()
            }
        })
        .collect()
}

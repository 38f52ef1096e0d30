use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    let ready = true;
    select! {
        recv(r) -> msg if ready => println!("{msg:?}"),
    }
}
